# gatekeeper's GitHub Action image (action.yml `runs: using: docker`).
#
# Two stages so nothing used to install stays in the image: the build stage creates a virtual
# environment with gatekeeper and its pinned scanners (scripts/docker_install.sh, which
# scripts/check_dockerfile_steps.sh also runs in CI without Docker), the runtime stage copies only
# that environment onto the same base and adds git (and gpg for OpenPGP signatures).
#
# No USER: GitHub runs Docker actions as root with the workspace bind-mounted, and documents that
# a non-root USER cannot use GITHUB_WORKSPACE. The workspace is owned by the runner's user, so git
# would refuse it ("dubious ownership"); gatekeeper passes `-c safe.directory=<workspace>` for that
# one path on its own git calls instead of trusting every directory globally.
FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gatekeeper/ gatekeeper/
COPY rules/ rules/
COPY scripts/docker_install.sh scripts/
RUN sh scripts/docker_install.sh /opt/gatekeeper /src

FROM python:3.11.11-slim-bookworm
# Debian's git and gpg follow the base image's security updates; pinning their exact versions would
# break the build at every point release, so the base image tag is what is pinned.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends git gpg \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/gatekeeper /opt/gatekeeper
ENV PATH="/opt/gatekeeper/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    SEMGREP_ENABLE_VERSION_CHECK=0 \
    SEMGREP_SEND_METRICS=off
ENTRYPOINT ["gatekeeper"]
CMD ["action"]
