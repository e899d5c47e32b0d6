#!/usr/bin/env bash
# Builds (and with --push pushes) the container images of the services, from jars packaged before:
#   mvn -B -pl ingest,labeler,trainer -am package -DskipTests          # cpu
#   mvn -B -pl labeler -am package -DskipTests -Pgpu                   # gpu labeler: ONNX Runtime's CUDA build
#   mvn -B -pl trainer -am package -DskipTests -Pgpu,cuda              # gpu trainer: and DJL's CUDA libtorch
#   k8s/images.sh --registry REGISTRY --tag 0.1.0-SNAPSHOT --variant cpu|gpu [--push]
# Never run in CI (it needs a Docker engine). docs/deploy.md has the whole procedure.
set -euo pipefail
cd "$(dirname "$0")/.."

registry="" tag="" variant="cpu" push=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --registry) registry="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --variant) variant="$2"; shift 2 ;;
    --push) push=1; shift ;;
    *) echo "unknown option $1; usage: k8s/images.sh --registry REGISTRY --tag TAG [--variant cpu|gpu] [--push]" >&2; exit 2 ;;
  esac
done
if [[ -z "$registry" || "$registry" == "REGISTRY" || -z "$tag" ]]; then
  echo "give --registry (your registry, e.g. host/project) and --tag" >&2; exit 2
fi
if [[ "$variant" != "cpu" && "$variant" != "gpu" ]]; then
  echo "--variant is cpu or gpu, not '$variant'" >&2; exit 2
fi
command -v docker >/dev/null || { echo "no docker on the PATH" >&2; exit 1; }

# the ingest never needs a GPU; the gpu variant builds the labeler and the trainer
services=(ingest labeler trainer)
[[ "$variant" == "gpu" ]] && services=(labeler trainer)
suffix=""
base_args=()
if [[ "$variant" == "gpu" ]]; then
  suffix="-gpu"
  docker build -t seamstream/cuda-jre:17 k8s/docker/cuda-jre
  base_args=(--build-arg BASE_IMAGE=seamstream/cuda-jre:17)
fi

for s in "${services[@]}"; do
  app="$s/target/quarkus-app"
  if [[ ! -f "$app/quarkus-run.jar" ]]; then
    echo "$s: no $app/quarkus-run.jar; package it first (mvn -B -pl $s -am package -DskipTests)" >&2; exit 1
  fi
  if [[ "$variant" == "gpu" ]]; then
    # a GPU image must carry the CUDA build of its inference engine, or it would silently run on the CPU
    case "$s" in
      labeler) want="onnxruntime_gpu" ;;
      trainer) want="pytorch-native-cu" ;;
    esac
    if ! ls "$app/lib/main" | grep -q "$want"; then
      echo "$s: $app/lib/main has no $want jar: package it with its CUDA profile first (docs/deploy.md)" >&2; exit 1
    fi
  fi
  image="$registry/seamstream/$s:$tag$suffix"
  docker build "${base_args[@]}" -f "k8s/docker/$s/Dockerfile" -t "$image" "$s"
  echo "built $image"
  if [[ $push -eq 1 ]]; then
    docker push "$image"
  fi
done
