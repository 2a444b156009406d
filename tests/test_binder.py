"""The student edition runs on mybinder.org as it is: repo2docker builds it from its
environment.yml alone (edition/ holds the templates of the edition's own files), and its
README's badge opens JupyterLab on the chapters."""
import re

import pytest

from nntrain.course import edition
from tests.course import ROOT

EDITION = ROOT / "edition"
yaml = pytest.importorskip("yaml")


def test_environment_yml_is_all_repo2docker_needs():
    env = yaml.safe_load((EDITION / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    names = [re.split(r"[<>=! ]", d, maxsplit=1)[0] for d in deps if isinstance(d, str)]
    assert any(re.fullmatch(r"python=3\.\d+", d) for d in deps if isinstance(d, str)), "pin python=3.x"
    for needed in ("pip", "jupyterlab", "nbgrader", "numpy", "matplotlib", "ipywidgets"):
        assert needed in names, needed
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "." in pip, "the course library is installed from the edition itself"
    # repo2docker takes the first of these it finds instead of environment.yml (binder/ and
    # .binder/ replace the root altogether): none may exist.
    for other in ("binder", ".binder", "Dockerfile", "requirements.txt", "Pipfile", "setup.py",
                  "install.R", "apt.txt", "postBuild", "start", "runtime.txt"):
        assert not (EDITION / other).exists(), f"{other} would change what Binder builds"
        assert other not in edition.TEMPLATES


def test_readme_has_the_binder_badge_opening_the_chapters():
    readme = (EDITION / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]"
                      r"\((https://mybinder\.org/v2/gh/[^)\s]+)\)", readme)
    assert badge, "no Binder badge in README.md"
    assert badge.group(1).endswith("/HEAD?urlpath=lab/tree/chapters")
    assert "chapters/" in readme[badge.end():badge.end() + 2000]
