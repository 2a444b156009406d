"""The grader's side of the sandbox, without starting a kernel: fast checks of what the
launcher is told to do."""
import os

from nntrain.grading import sandbox


def test_folders_other_users_cannot_enter_are_covered_in_root_mode(tmp_path):
    closed = tmp_path / "home"
    inside = closed / ".pyenv" / "bin"
    inside.mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    os.chmod(closed, 0o700)
    found = sandbox._closed_folders([str(inside)])
    assert str(closed) in found and str(inside) not in found and "/" not in found
    os.chmod(closed, 0o711)
    assert str(closed) not in sandbox._closed_folders([str(inside)])


def test_a_root_mode_config_covers_a_closed_folder_above_the_work_folder(tmp_path):
    work = tmp_path / "closed" / "work"
    work.mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    os.chmod(tmp_path / "closed", 0o700)
    cfg = sandbox.prepare("userns", str(work), [], sandbox.Resources())
    assert str(tmp_path / "closed") not in cfg.hide          # the grader's own uid enters it
    if os.geteuid() == 0:
        cfg = sandbox.prepare("root", str(work), [], sandbox.Resources())
        assert str(tmp_path / "closed") in cfg.hide and cfg.workdir == os.path.realpath(work)


def test_grade_says_why_a_stronger_mode_is_not_used(monkeypatch):
    monkeypatch.setitem(sandbox._probed, "root", "the grader does not run as root")
    assert sandbox.why_not_stronger("userns") == "root: the grader does not run as root"
    assert sandbox.why_not_stronger("root") == ""
    monkeypatch.setitem(sandbox._probed, "userns", "")
    assert sandbox.why_not_stronger("none") == "root: the grader does not run as root; userns: not requested"
