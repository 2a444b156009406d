"""The repository runs on mybinder.org as it is: repo2docker builds it from environment.yml
alone, and the README's badge opens JupyterLab on the student chapters."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
yaml = pytest.importorskip("yaml")


def test_environment_yml_is_all_repo2docker_needs():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    names = [re.split(r"[<>=! ]", d, maxsplit=1)[0] for d in deps if isinstance(d, str)]
    assert any(re.fullmatch(r"python=3\.\d+", d) for d in deps if isinstance(d, str)), "pin python=3.x"
    for needed in ("pip", "jupyterlab", "nbgrader", "numpy", "matplotlib", "ipywidgets"):
        assert needed in names, needed
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip, "the course library is installed from the repository itself"
    # repo2docker takes the first of these it finds instead of environment.yml (binder/ and
    # .binder/ replace the root altogether): none may exist.
    for other in ("binder", ".binder", "Dockerfile", "requirements.txt", "Pipfile", "setup.py",
                  "install.R", "apt.txt", "postBuild", "start", "runtime.txt"):
        assert not (ROOT / other).exists(), f"{other} would change what Binder builds"


def test_readme_has_the_binder_badge_opening_the_chapters():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]"
                      r"\((https://mybinder\.org/v2/gh/[^)\s]+)\)", readme)
    assert badge, "no Binder badge in README.md"
    assert badge.group(1).endswith("/HEAD?urlpath=lab/tree/chapters")
    assert "chapters/" in readme[badge.end():badge.end() + 2000]
