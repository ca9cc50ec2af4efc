//! The built-in tasks from the files `make deps` fetched: the shapes the sources document.

use lutforge_gru::data::{load, wheel::data_dir, Metric, Target};

#[test]
fn the_four_tasks_have_their_documented_shapes() {
    let dir = data_dir();
    let fsdd = load("fsdd", &dir).unwrap();
    assert_eq!(fsdd.train.len() + fsdd.val.len() + fsdd.test.len(), 3000);
    assert_eq!(
        (fsdd.train.len(), fsdd.val.len(), fsdd.test.len()),
        (2400, 300, 300)
    );
    assert_eq!((fsdd.features, fsdd.outputs), (13, 10));
    let lens = fsdd.train.iter().chain(&fsdd.test).map(|s| s.len);
    assert_eq!((lens.clone().min(), lens.max()), (Some(6), Some(92)));

    let v = load("vowels", &dir).unwrap();
    assert_eq!((v.train.len() + v.val.len(), v.test.len()), (270, 370));
    assert_eq!((v.features, v.outputs), (12, 9));
    let lens = v.train.iter().chain(&v.test).map(|s| s.len);
    assert_eq!((lens.clone().min(), lens.max()), (Some(7), Some(29)));

    let m = load("motions", &dir).unwrap();
    assert_eq!((m.train.len() + m.val.len(), m.test.len()), (40, 40));
    assert_eq!((m.features, m.outputs), (6, 4));
    assert!(m.train.iter().all(|s| s.len == 100));
    assert_eq!(m.classes, ["Standing", "Running", "Walking", "Badminton"]);

    let a = load("adding", &dir).unwrap();
    assert_eq!(a.metric, Metric::Mse);
    assert!(matches!(a.test[0].y, Target::Value(_)));
}
