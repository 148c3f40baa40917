# linkaja-pay BFF. Build: docker build -t linkaja-pay .
# The demo (its simulator reachable through the container's port, so a declared public demo):
#   docker run -p 8080:8080 -e SIMULATOR_PUBLIC=1 linkaja-pay
# The image runs what scripts/release-build.sh makes, the same script the packaged-install test runs:
# the package as npm would publish it, installed with production dependencies only.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its addon when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN scripts/release-build.sh /app

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8080 DATABASE_URL=sqlite:/data/linkaja.db
# The application is root's and read-only to the server; only /data (the SQLite file) is writable.
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
VOLUME /data
WORKDIR /app
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (exec form, no shell, no npm): SIGTERM from `docker stop` reaches the server,
# which drains requests in flight and exits 0.
CMD ["node", "node_modules/linkaja-pay/dist/bff/cli/main.js", "serve"]
