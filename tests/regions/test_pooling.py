"""The region's pooled estimates against a stratified example worked by hand.

County A: school 1 (weight 10: 400, 600), school 2 (weight 10: 500, 700); cuts 400/500/600.
County B: schools 3, 4, 5 (weight 20: 300, 500, 400); cuts 350/450/550.

Mean: Σwy / Σw = (10·2200 + 20·1200) / (40 + 60) = 46000 / 100 = 460.
Jackknife within each county (the county's other schools × n_h/(n_h − 1)):
  A drops 1: (20·1200 + 24000) / 100 = 480 (+20); drops 2: (20·1000 + 24000) / 100 = 440 (−20)
      A's part: (1/2)(400 + 400) = 400
  B drops 3: (22000 + 30·900) / 100 = 490 (+30); 4: (22000 + 30·700) / 100 = 430 (−30);
    5: (22000 + 30·800) / 100 = 460 (0)      B's part: (2/3)(900 + 900) = 1200
  var = 1600, SE = 40.
Levels (each county's own cuts): A 400 Ⅱ, 600 Ⅳ, 500 Ⅲ, 700 Ⅳ; B 300 Ⅰ, 500 Ⅲ, 400 Ⅱ.
  Ⅰ: 20/100 = 0.2; B drops 3 → 0, 4 → 30/100, 5 → 30/100: (2/3)(0.04 + 0.01 + 0.01) = 0.04, SE 0.2
  Ⅳ: 20/100 = 0.2 in every replicate: SE 0.
Treating the region as one stratum of five schools (the wrong way) gives another SE.
"""

import numpy as np
import pytest

from regions.pooling import Stratum, pooled
from results.estimation import JK1, Level, jackknife
from results.selectors import Sample


def _sample(schools: dict[int, tuple[float, list[float]]]) -> Sample:
    values, weights, clusters = [], [], []
    for pk, (weight, scores) in schools.items():
        values += scores
        weights += [weight] * len(scores)
        clusters += [pk] * len(scores)
    n = len(values)
    return Sample(
        values=np.array(values, dtype=float),
        weights=np.array(weights, dtype=float),
        clusters=np.array(clusters),
        sex=np.array(["F"] * n),
        location=np.array(["rural"] * n),
        school_names={pk: (str(pk), f"学校{pk}") for pk in schools},
    )


A = Stratum("A", _sample({1: (10.0, [400, 600]), 2: (10.0, [500, 700])}), (400, 500, 600))
B = Stratum("B", _sample({3: (20.0, [300]), 4: (20.0, [500]), 5: (20.0, [400])}), (350, 450, 550))


def test_the_pooled_mean_and_its_stratified_jackknife_se_by_hand():
    result = pooled([A, B])
    assert (result.counties, result.schools, result.students) == (2, 5, 7)
    assert result.mean.estimate == pytest.approx(460.0)
    assert result.mean.se == pytest.approx(40.0)
    assert result.mean.replicates == 5


def test_pooled_level_shares_use_each_countys_cuts():
    levels = pooled([A, B]).levels
    assert levels[Level.NEEDS_IMPROVEMENT].estimate == pytest.approx(0.2)
    assert levels[Level.NEEDS_IMPROVEMENT].se == pytest.approx(0.2)
    assert levels[Level.EXCELLENT].estimate == pytest.approx(0.2)
    assert levels[Level.EXCELLENT].se == pytest.approx(0.0, abs=1e-12)
    assert sum(levels[lv].estimate for lv in Level) == pytest.approx(1.0)


def test_one_stratum_for_the_whole_region_would_be_another_se():
    values = np.concatenate([A.sample.values, B.sample.values])
    weights = np.concatenate([A.sample.weights, B.sample.weights])
    clusters = np.concatenate([A.sample.clusters, B.sample.clusters])
    unstratified = jackknife(values=values, weights=weights, clusters=clusters, replication=JK1)
    assert unstratified.estimate == pytest.approx(460.0)
    assert unstratified.se != pytest.approx(40.0)


def test_a_county_of_one_school_leaves_the_se_undefined_not_wrong():
    lone = Stratum("C", _sample({6: (10.0, [450, 550])}), (400, 500, 600))
    assert pooled([A, lone]).mean is None
    assert pooled([]) is None
