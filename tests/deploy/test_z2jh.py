"""Zero to JupyterHub, checked without a cluster: the values name only keys the chart defines (with the types it
accepts), the hub's extra configuration compiles, and the single-user image's install steps run here."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
Z2JH = REPO / "deploy" / "z2jh"
JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int, "number": (int, float),
              "null": type(None)}


def unknown_keys(values, tree: dict, path: str = "") -> list[str]:
    """Every key of ``values`` the chart's key tree does not define, or whose value has a type it refuses."""
    problems = []
    types = tree.get("types") or []
    if types and not any(isinstance(values, JSON_TYPES[t]) and not (t in ("integer", "number") and isinstance(values, bool))
                         for t in types):
        problems.append(f"{path or '(top)'}: {type(values).__name__} where the chart accepts {', '.join(types)}")
    if isinstance(values, dict) and not tree.get("open"):
        keys = tree.get("keys", {})
        for key, value in values.items():
            where = f"{path}.{key}" if path else key
            if key not in keys:
                problems.append(f"{where}: not a key of the chart")
            else:
                problems.extend(unknown_keys(value, keys[key], where))
    return problems


@pytest.fixture(scope="module")
def chart_keys() -> dict:
    return yaml.safe_load((Z2JH / "chart-keys.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((Z2JH / "values.yaml").read_text(encoding="utf-8"))


def test_the_values_name_only_keys_the_chart_defines(values, chart_keys):
    assert unknown_keys(values, chart_keys) == []
    for section in ("hub", "singleuser", "cull", "scheduling", "prePuller"):
        assert section in values


def test_the_key_check_catches_a_misspelt_key_and_a_wrong_type(values, chart_keys):
    import copy

    wrong = copy.deepcopy(values)
    wrong["singleuser"]["memory"]["limt"] = "1G"
    wrong["singleuser"]["cpu"]["limit"] = "one"
    wrong["hub"]["extraConfigs"] = {}
    assert sorted(unknown_keys(wrong, chart_keys)) == [
        "hub.extraConfigs: not a key of the chart",
        "singleuser.cpu.limit: str where the chart accepts number, null",
        "singleuser.memory.limt: not a key of the chart",
    ]


def test_the_exchange_is_on_a_read_write_many_volume_every_user_pod_mounts(values):
    storage = values["singleuser"]["storage"]
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in storage["extraVolumes"]}
    mounts = {m["name"]: m["mountPath"] for m in storage["extraVolumeMounts"]}
    assert mounts["exchange"] == "/srv/lstm-course/exchange"  # where role-config points nbgrader (Dockerfile)
    volumes = {d["metadata"]["name"]: d for d in yaml.safe_load_all((Z2JH / "exchange-volumes.yaml").read_text())}
    assert volumes[claims["exchange"]]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert values["singleuser"]["memory"]["limit"] and values["singleuser"]["cpu"]["limit"]


def test_the_hubs_extra_configuration_is_valid_python(values):
    for name, source in values["hub"]["extraConfig"].items():
        compile(source, f"hub.extraConfig.{name}", "exec")


# ============================================================================================== the image
def dockerfile_steps() -> tuple[dict[str, str], list[tuple[str, str]], list[str]]:
    """(ARG defaults, [(instruction, argument)], COPY sources) of deploy/z2jh/Dockerfile."""
    text = re.sub(r"\\\n", " ", (Z2JH / "Dockerfile").read_text(encoding="utf-8"))
    steps = [tuple(line.strip().split(None, 1)) for line in text.splitlines()
             if line.strip() and not line.strip().startswith("#")]
    args = dict(a.split("=", 1) for kind, a in steps if kind == "ARG" and "=" in a)
    sources = [s for kind, a in steps if kind == "COPY" for s in a.split()[:-1]]
    return args, steps, sources


def test_the_image_is_built_from_the_projects_own_files_and_setup_script():
    _, steps, sources = dockerfile_steps()
    for source in sources:
        assert (REPO / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"
    runs = [a for kind, a in steps if kind == "RUN"]
    assert any("deploy/jupyterhub/setup.sh --image" in run for run in runs)
    assert any("classhub.cli role-config --state /srv/lstm-course" in run for run in runs)


@pytest.mark.slow
def test_the_images_install_steps_run_here(tmp_path):
    """The Dockerfile's RUN steps that call the project's scripts, run as written with the image's folders moved
    into a temporary one: the course environment, the grading kernel and each role's configuration appear."""
    args, steps, _ = dockerfile_steps()
    prefix, state = tmp_path / "opt", tmp_path / "srv"
    ran = 0
    for kind, command in steps:
        if kind != "RUN" or "deploy/jupyterhub" not in command:
            continue
        for name, default in args.items():
            command = command.replace("${" + name + "}", default)
        command = command.replace("/opt/lstm-course", str(prefix)).replace("/srv/lstm-course", str(state))
        result = subprocess.run(["bash", "-c", command], cwd=REPO, capture_output=True, text=True, timeout=900,
                                env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
        assert result.returncode == 0, f"{shlex.quote(command)} failed:\n{result.stdout}\n{result.stderr}"
        ran += 1
    assert ran == 2
    venv = prefix / "venv"
    assert (venv / "bin" / "jupyterhub-singleuser").exists()
    assert not (prefix / "proxy").exists(), "the image needs no proxy"
    kernels = subprocess.run([str(venv / "bin" / "jupyter"), "kernelspec", "list", "--json"], capture_output=True,
                             text=True, check=True).stdout
    assert "lstm-grading" in kernels
    version = subprocess.run([str(venv / "bin" / "python"), "-c", "import jupyterhub; print(jupyterhub.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == args["JUPYTERHUB_VERSION"]
    assert (state / "jupyter" / "student" / "labconfig" / "page_config.json").exists()
    assert "c.Exchange.root = '" + str(state / "exchange") in (state / "jupyter" / "instructor" / "nbgrader_config.py").read_text()
