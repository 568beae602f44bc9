# The OCI config both images share: node runs the agent's bin as a fixed non-root user.
# The chart sets the same uid and a read-only root, hence no tsx cache on disk.
{ agent, nodejs }:
{
  Entrypoint = [ "${nodejs}/bin/node" "${agent}/lib/node_modules/fluxlight/agent/bin/fluxlight.js" ];
  Cmd = [ "run" ];
  User = "65532:65532";
  # --max-semi-space-size=1: resident memory −6 to −30 MiB at 1,000 objects, −34 to −46 MiB at 10,000 (BENCHMARKS.md).
  Env = [ "TSX_DISABLE_CACHE=1" "NODE_ENV=production" "NODE_OPTIONS=--max-semi-space-size=1" ];
  ExposedPorts = { "9090/tcp" = { }; };
}
