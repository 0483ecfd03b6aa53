# netgrade in a container: for batch grading on Kubernetes (an Indexed Job, docs/batch-and-ci.md),
# PrairieLearn's external grader and other hosts that run images (docs/container.md).
#
#   docker build -t netgrade .                          # with Chromium (web-server needs it)
#   docker build -t netgrade --build-arg WITH_CHROMIUM=false .
#   docker run --rm -v "$PWD/class:/class" netgrade batch /class/submissions --out /class/reports
#
# Node 24 comes from the `node` npm package pinned in package-lock.json, as in the project
# itself. Debian's own Node 18 and npm are needed only to run `npm ci`, so they stay in the
# first stage: the image keeps /opt/netgrade and none of Debian's ~400 node-* packages.

FROM debian:bookworm-slim AS install
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/netgrade
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

FROM debian:bookworm-slim
ARG WITH_CHROMIUM=true
ENV DEBIAN_FRONTEND=noninteractive
# bubblewrap: the sandbox of every submission process (docs/containment.md); util-linux: prlimit
# and setpriv; Chromium with CJK fonts for web-server's browser evidence (Chinese file names).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates bubblewrap util-linux \
      $(if [ "$WITH_CHROMIUM" = true ]; then echo chromium fonts-noto-cjk; fi) \
 && rm -rf /var/lib/apt/lists/*
COPY --from=install /opt/netgrade /opt/netgrade
WORKDIR /opt/netgrade
COPY grader grader
COPY exercises exercises

# Node 24 first on PATH (student programs and the grader's workers run on it), and a
# `netgrade` command for shells in the container (`sh -c "netgrade batch ..."`).
RUN ln -s /opt/netgrade/node_modules/node/bin/node /usr/local/bin/node \
 && ln -s /opt/netgrade/grader/cli/bin.mjs /usr/local/bin/netgrade \
 && node --version && netgrade --version
ENV CHROMIUM=/usr/bin/chromium
WORKDIR /work
ENTRYPOINT ["/opt/netgrade/node_modules/node/bin/node", "/opt/netgrade/grader/cli/netgrade.ts"]
CMD ["--help"]
