"""The research figures the course's code uses, in one place (from shared/research/facts.md).

The synthetic datasets are calibrated to these, and the widgets draw them; keeping one
copy means a corrected figure changes everywhere at once.
"""

A1_R = 0.278  # alliance-outcome r, face to face (Flückiger et al., 2018)
A1_CI = (0.256, 0.299)  # its 95% confidence interval (same paper)
D1_DROPOUT = 0.197  # weighted mean dropout (Swift & Greenberg, 2012)
R1_R = 0.29  # rupture repair and outcome r (Eubanks, Muran & Safran, 2018)
G1_R = 0.24  # goal consensus and outcome r (Tryon, Birch & Verkuilen, 2018)
G2_R = 0.29  # collaboration and outcome r (same paper)
M1_D = 0.15  # feedback from routine outcome monitoring, pooled d (de Jong et al., 2021)
M1_CI = (0.10, 0.20)  # its 95% confidence interval (same paper)
M1_NOT_ON_TRACK_D = 0.17  # the same, for not-on-track cases (same paper)
