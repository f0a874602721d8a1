//! The impact x urgency matrix: which priority each pair gives. ITIL's default 3x3 is the
//! default; a configured matrix must be monotonic (a higher impact or urgency never gives a less
//! urgent priority), so raising an input never lowers the priority.
use serde::{Deserialize, Serialize};

use super::{Level, Priority};
use crate::error::{Collector, FieldError};

/// `cells[impact - 1][urgency - 1]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    pub cells: [[Priority; 3]; 3],
}

impl Default for Matrix {
    /// ITIL: high/high P1, high/medium and medium/high P2, the diagonal P3, ... low/low P5.
    fn default() -> Self {
        use Priority::*;
        Self {
            cells: [[P1, P2, P3], [P2, P3, P4], [P3, P4, P5]],
        }
    }
}

impl Matrix {
    /// The priority of `impact` and `urgency` (total: every pair has one).
    pub fn priority(&self, impact: Level, urgency: Level) -> Priority {
        self.cells[impact.index()][urgency.index()]
    }

    /// Refuses a matrix where a higher impact or urgency gives a less urgent priority.
    pub(crate) fn check(&self, errors: &mut Collector, pointer: &str) {
        for i in 0..3 {
            for u in 0..3 {
                let cell = self.cells[i][u];
                let below = i + 1 < 3 && self.cells[i + 1][u] < cell;
                let right = u + 1 < 3 && self.cells[i][u + 1] < cell;
                if below || right {
                    errors.push(FieldError::new(
                        format!("{pointer}/cells/{i}/{u}"),
                        "must be as urgent as or more urgent than the cells of lower impact \
                         and lower urgency (the matrix must be monotonic)",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_itil_default() {
        let m = Matrix::default();
        assert_eq!(m.priority(Level::HIGH, Level::HIGH), Priority::P1);
        assert_eq!(m.priority(Level::HIGH, Level::MEDIUM), Priority::P2);
        assert_eq!(m.priority(Level::MEDIUM, Level::HIGH), Priority::P2);
        assert_eq!(m.priority(Level::MEDIUM, Level::MEDIUM), Priority::P3);
        assert_eq!(m.priority(Level::LOW, Level::HIGH), Priority::P3);
        assert_eq!(m.priority(Level::LOW, Level::LOW), Priority::P5);
        let mut errors = Collector::default();
        m.check(&mut errors, "/matrix");
        assert!(errors.finish().is_ok());
    }

    #[test]
    fn a_non_monotonic_matrix_is_refused_at_its_cell() {
        let mut m = Matrix::default();
        m.cells[1][0] = Priority::P5;
        let mut errors = Collector::default();
        m.check(&mut errors, "/matrix");
        let refused = errors.finish().expect_err("refused");
        assert!(
            refused.0.iter().any(|e| e.pointer == "/matrix/cells/1/0"),
            "{refused:?}"
        );
    }

    fn level() -> impl Strategy<Value = Level> {
        (1u8..=3).prop_map(|l| Level::try_from(l).unwrap_or(Level::LOW))
    }

    fn priority() -> impl Strategy<Value = Priority> {
        (1i64..=5).prop_map(|r| Priority::from_rank(r).unwrap_or(Priority::P5))
    }

    /// Any matrix, made monotonic by sorting: each cell no less urgent than the worse ones.
    fn monotonic_matrix() -> impl Strategy<Value = Matrix> {
        proptest::array::uniform3(proptest::array::uniform3(priority())).prop_map(|mut cells| {
            for i in 0..3 {
                for u in 0..3 {
                    let mut best = cells[i][u];
                    if i > 0 {
                        best = best.max(cells[i - 1][u]);
                    }
                    if u > 0 {
                        best = best.max(cells[i][u - 1]);
                    }
                    cells[i][u] = best;
                }
            }
            Matrix { cells }
        })
    }

    proptest! {
        #[test]
        fn evaluation_is_total_and_monotonic(m in monotonic_matrix(), i in level(), u in level(),
                                             j in level(), v in level()) {
            let mut errors = Collector::default();
            m.check(&mut errors, "");
            prop_assert!(errors.finish().is_ok());
            // Higher (numerically smaller) impact and urgency never give a less urgent priority.
            if i <= j && u <= v {
                prop_assert!(m.priority(i, u) <= m.priority(j, v));
            }
            let d = Matrix::default();
            if i <= j && u <= v {
                prop_assert!(d.priority(i, u) <= d.priority(j, v));
            }
        }
    }
}
