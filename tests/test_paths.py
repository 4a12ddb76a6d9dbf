"""The course finds its files however trustlab is installed (editable, regular, or on a hub)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trustlab import paths
from trustlab.data import load_dataset

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def learner_copy(tmp_path, monkeypatch):
    """A learner's copy of the course somewhere else, as nbgitpuller makes one in a home folder,
    while the package itself is installed elsewhere (site-packages, not an editable link)."""
    copy = tmp_path / "home" / "course"
    shutil.copytree(REPO / "data", copy / "data")
    (copy / "notebooks").mkdir()
    monkeypatch.delenv("TRUSTLAB_ROOT", raising=False)
    monkeypatch.delenv("TRUSTLAB_DATA", raising=False)
    monkeypatch.setattr(paths, "_PACKAGE_PARENT", tmp_path / "site-packages")
    return copy


def test_a_notebook_run_from_its_own_folder_finds_the_learners_copy(learner_copy, monkeypatch):
    monkeypatch.chdir(learner_copy / "notebooks")
    assert paths.course_root() == learner_copy
    assert paths.data_dir() == learner_copy / "data"
    assert len(load_dataset("first_sessions")) > 0


def test_the_learners_copy_wins_over_the_folder_the_package_came_from(learner_copy, monkeypatch):
    """On a hub the image's build folder may hold an older course; the learner's copy is the one they see."""
    monkeypatch.setattr(paths, "_PACKAGE_PARENT", REPO)
    monkeypatch.chdir(learner_copy / "notebooks")
    assert paths.course_root() == learner_copy


def test_an_editable_install_is_found_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.delenv("TRUSTLAB_ROOT", raising=False)
    monkeypatch.setattr(paths, "_PACKAGE_PARENT", REPO)
    monkeypatch.chdir(tmp_path)
    assert paths.course_root() == REPO


def test_trustlab_root_is_an_explicit_choice(learner_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTLAB_ROOT", str(learner_copy))
    monkeypatch.chdir(tmp_path)
    assert paths.course_root() == learner_copy


def test_nowhere_to_be_found_gives_one_clear_message(learner_copy, monkeypatch, tmp_path):
    elsewhere = tmp_path / "Downloads"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(paths.CourseFilesNotFound) as caught:
        paths.course_root()
    message = str(caught.value)
    assert "data/datapackage.json" in message          # what it looked for
    assert str(elsewhere) in message                   # where
    assert "TRUSTLAB_ROOT" in message and "open the notebook from inside the course folder" in message


def test_a_widget_without_its_course_files_says_so_loudly(learner_copy, monkeypatch, tmp_path):
    from trustlab import play, quiz, practice
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    monkeypatch.chdir(tmp_path)
    for widget in (play("first_contact"), quiz("m01"), practice("m01")):
        assert "could not load" in widget.value and "TRUSTLAB_ROOT" in widget.value
        assert "trustlab-load-error" in widget._dom_classes


def test_setup_says_at_once_when_the_course_files_are_missing(learner_copy, monkeypatch, tmp_path, capsys):
    from trustlab.session import setup
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    monkeypatch.chdir(tmp_path)
    setup()
    shown = capsys.readouterr().out
    assert "could not load" in shown and "TRUSTLAB_ROOT" in shown
