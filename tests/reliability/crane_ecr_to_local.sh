#!/bin/sh
# crane for the secrets case: the lambda_image role pushes to "ECR" (lambda_image_registry empty, so it
# logs in with ackops.serverless.ecr_login and writes the password into DOCKER_CONFIG), but moto has no
# registry, so every <account>.dkr.ecr.<region>.amazonaws.com/ reference is sent to the sandbox's
# registry ($ACKOPS_REGISTRY) instead, as the sandbox's Lambda runtime reads ECR URIs from there too.
# The credentials in DOCKER_CONFIG are never printed.
for arg do
  shift
  set -- "$@" "$(printf '%s' "$arg" | sed -E "s#^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/#${ACKOPS_REGISTRY}/#")"
done
exec crane "$@"
