"""deploy/: compose file against the Compose Specification schema, the kustomize overlays
against the Kubernetes API schemas, every setting wired, systemd units, nginx and Caddy sites."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from innkeeper.testing.processes import require_binary, server_env

ROOT = Path(__file__).resolve().parents[4]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
VENV_BIN = Path(sys.executable).parent
# A current Kubernetes release (kubernetes-validate ships its API schemas).
KUBERNETES_VERSION = "1.33.0"
# Settings in .env.example that a deployment does not set, and why.
NOT_DEPLOYED = {"TEST_DATABASE_NAME": "test runs only"}


def run(*command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def env_keys(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def example_settings() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^# ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


# --- Docker Compose -------------------------------------------------------------------------


def test_compose_file_matches_the_compose_specification():
    result = run(
        str(VENV_BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
        str(DEPLOY / "compose.yaml"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_two_webs_a_worker_a_scheduler_behind_a_proxy():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {
        "postgres",
        "redis",
        "migrate",
        "web-1",
        "web-2",
        "worker",
        "scheduler",
        "proxy",
    } <= set(services)
    roles = {name: services[name].get("command") for name in services}
    assert roles["web-1"] == roles["web-2"] == ["web"]
    assert roles["worker"] == ["worker"] and roles["scheduler"] == ["scheduler"]
    for name in ("web-1", "web-2", "worker", "scheduler"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
    caddyfile = (DEPLOY / "compose" / "Caddyfile").read_text()
    assert "web-1:8000 web-2:8000" in caddyfile and "health_uri /api/health/ready" in caddyfile


# --- Kubernetes -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kubectl() -> str:
    return require_binary("kubectl", "renders the kustomize overlays")


def render(kubectl: str, overlay: Path) -> list[dict]:
    result = run(kubectl, "kustomize", str(overlay))
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def production(kubectl: str, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    return render(kubectl, K8S / "overlays" / "production")


@pytest.mark.parametrize("overlay", ["base", "overlays/production"])
def test_kustomize_output_is_valid_for_a_current_kubernetes(kubectl, overlay, tmp_path):
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(run(kubectl, "kustomize", str(K8S / overlay)).stdout)
    result = run(
        str(VENV_BIN / "kubernetes-validate"),
        "--strict",
        "--kubernetes-version",
        KUBERNETES_VERSION,
        str(rendered),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed for resource") >= 12


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def test_production_runs_web_worker_scheduler_and_a_migration_job(production):
    deployments = by_kind(production, "Deployment")
    assert set(deployments) == {"innkeeper-web", "innkeeper-worker", "innkeeper-scheduler"}
    assert deployments["innkeeper-scheduler"]["spec"]["replicas"] == 1
    job = by_kind(production, "Job")["innkeeper-migrate"]
    workloads = [*deployments.values(), job]
    images = {c["image"] for w in workloads for c in pod_spec(w)["containers"]}
    assert images == {"registry.example.com/innkeeper:0.2.0"}  # one image, every role
    roles = {w["metadata"]["name"]: pod_spec(w)["containers"][0]["args"] for w in workloads}
    assert roles == {
        "innkeeper-web": ["web"],
        "innkeeper-worker": ["worker"],
        "innkeeper-scheduler": ["scheduler"],
        "innkeeper-migrate": ["migrate"],
    }
    web = pod_spec(deployments["innkeeper-web"])
    assert web["initContainers"][0]["args"] == ["wait-for-migrations"]
    for workload in workloads:
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in spec["containers"] + spec.get("initContainers", []):
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["resources"]["requests"] and container["resources"]["limits"]


def test_web_probes_hpa_pdb_and_network_policy(production):
    web = pod_spec(by_kind(production, "Deployment")["innkeeper-web"])["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/api/health/live"
    assert web["readinessProbe"]["httpGet"]["path"] == "/api/health/ready"
    assert web["startupProbe"]["httpGet"]["path"] == "/api/health/live"
    hpas = by_kind(production, "HorizontalPodAutoscaler")
    assert set(hpas) == {"innkeeper-web", "innkeeper-worker"}
    assert hpas["innkeeper-web"]["spec"]["minReplicas"] == 3
    assert hpas["innkeeper-web"]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert set(by_kind(production, "PodDisruptionBudget")) == {"innkeeper-web", "innkeeper-worker"}
    policy = by_kind(production, "NetworkPolicy")["innkeeper"]
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert all(doc["metadata"].get("namespace") == "innkeeper" for doc in production[1:])


def test_every_setting_is_wired_into_the_configmap_or_the_secret(production):
    config = next(iter(by_kind(production, "ConfigMap").values()))
    secrets = env_keys(K8S / "secrets.example.env")
    wired = set(config["data"]) | set(secrets)
    missing = example_settings() - wired - set(NOT_DEPLOYED)
    assert not missing, f"add to deploy/k8s/base/config.env or secrets.example.env: {missing}"
    assert not set(config["data"]) & set(secrets)
    for workload in [
        *by_kind(production, "Deployment").values(),
        *by_kind(production, "Job").values(),
    ]:
        for container in pod_spec(workload)["containers"]:
            refs = {next(iter(ref)) for ref in container["envFrom"]}
            assert refs == {"configMapRef", "secretRef"}
            names = [
                ref.get("configMapRef", ref.get("secretRef"))["name"]
                for ref in container["envFrom"]
            ]
            assert names == [config["metadata"]["name"], "innkeeper-secrets"]


def test_the_production_configuration_passes_djangos_deploy_checks(production, tmp_path):
    """The rendered ConfigMap plus the Secret's keys make a settings module that loads and
    passes `check --deploy` (every value parses; HTTPS, HSTS, secure cookies are on)."""
    config = next(iter(by_kind(production, "ConfigMap").values()))["data"]
    env = server_env(tmp_path)
    env.update(config)
    env.update(env_keys(K8S / "secrets.example.env"))
    # The example's placeholder key is (rightly) refused by innkeeper.W001: use a real one.
    env.update(SECRET_KEY=secrets.token_urlsafe(64))
    env.update(INNKEEPER_VAR_DIR=str(tmp_path), BACKUP_DIR=str(tmp_path / "backups"))
    result = subprocess.run(
        [str(VENV_BIN / "innkeeper"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


# --- single VM: systemd, nginx, Caddy -------------------------------------------------------

UNITS = ("innkeeper-web", "innkeeper-worker", "innkeeper-scheduler")


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_unit_verifies_and_runs_innkeeper(unit, tmp_path):
    analyze = require_binary("systemd-analyze", "verifies the systemd units")
    text = (DEPLOY / "systemd" / f"{unit}.service").read_text()
    command = re.search(r"^ExecStart=/opt/innkeeper/bin/innkeeper (.+)$", text, re.MULTILINE)
    assert command, "ExecStart runs the release's innkeeper"
    role = command.group(1).split()[0]
    assert role == {"innkeeper-web": "serve", "innkeeper-worker": "worker"}.get(unit, "scheduler")
    if role == "serve":
        assert "--no-worker --no-scheduler" in command.group(1)
    # Verify with paths that exist on this machine (the release's venv is this one).
    local = text.replace("/opt/innkeeper/bin/innkeeper", str(VENV_BIN / "innkeeper"))
    local = local.replace("EnvironmentFile=/", "EnvironmentFile=-/")
    (tmp_path / f"{unit}.service").write_text(local)
    result = run(analyze, "verify", str(tmp_path / f"{unit}.service"))
    assert result.returncode == 0 and "Unknown" not in result.stderr, result.stderr


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    openssl = require_binary("openssl", "makes a throwaway certificate for nginx -t")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=book.example.com", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


def test_nginx_site_passes_nginx_t(tmp_path):
    nginx = require_binary("/usr/sbin/nginx", "checks deploy/nginx/innkeeper.conf")
    cert, key = self_signed_certificate(tmp_path)
    site = (DEPLOY / "nginx" / "innkeeper.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/book.example.com/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/book.example.com/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = run(nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"))
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site


@pytest.mark.parametrize("caddyfile", ["caddy/Caddyfile", "compose/Caddyfile"])
def test_caddy_sites_validate(caddyfile):
    caddy = require_binary("/usr/bin/caddy", "checks the Caddy sites")
    path = DEPLOY / caddyfile
    result = run(caddy, "validate", "--adapter", "caddyfile", "--config", str(path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "header_up -SCRIPT_NAME" in path.read_text()


# --- version ----------------------------------------------------------------------------------


def test_version_is_the_same_in_pyproject_changelog_and_image_tags(production):
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    first = re.search(r"^## (\S+)", changelog, flags=re.MULTILINE)
    assert first and first.group(1) == version
    for kustomization in (K8S / "base", K8S / "overlays" / "production"):
        text = (kustomization / "kustomization.yaml").read_text()
        assert f'newTag: "{version}"' in text, kustomization
