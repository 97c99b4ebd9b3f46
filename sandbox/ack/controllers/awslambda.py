# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Stand-in for the ACK lambda-controller: kinds Function and EventSourceMapping.

Function: GetFunction, CreateFunction, UpdateFunctionConfiguration, UpdateFunctionCode,
TagResource/UntagResource, DeleteFunction. EventSourceMapping: CreateEventSourceMapping,
GetEventSourceMapping, UpdateEventSourceMapping, DeleteEventSourceMapping.
The module is not called lambda.py because lambda is a Python keyword."""

import base64
import sys

from botocore.exceptions import ClientError

from . import runtime

# spec field -> (UpdateFunctionConfiguration / CreateFunction parameter, GetFunction Configuration key)
CONFIG_FIELDS = {
    "description": "Description",
    "handler": "Handler",
    "memorySize": "MemorySize",
    "role": "Role",
    "runtime": "Runtime",
    "timeout": "Timeout",
}


def _not_found(exc):
    return runtime.error_code(exc) == "ResourceNotFoundException"


def _ref_name(ref):
    return ((ref or {}).get("from") or {}).get("name")


def _ref_namespace(ref, cr):
    return ((ref or {}).get("from") or {}).get("namespace") or cr["metadata"]["namespace"]


def _synced(obj):
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == runtime.SYNCED:
            return cond.get("status") == "True"
    return False


class FunctionManager(runtime.ResourceManager):
    kind = "Function"
    plural = "functions"
    service = "lambda"

    @property
    def awslambda(self):
        return self.ctx.client("lambda")

    def references_present(self, cr):
        return bool(_ref_name((cr.get("spec") or {}).get("roleRef")))

    def resolve_references(self, cr):
        spec = dict(cr.get("spec") or {})
        name = _ref_name(spec.get("roleRef"))
        if name:
            namespace = _ref_namespace(spec["roleRef"], cr)
            try:
                role = self.ctx.custom.get_namespaced_custom_object(
                    "iam.services.k8s.aws", "v1alpha1", namespace, "roles", name)
            except runtime.kubernetes.client.ApiException as exc:
                raise runtime.ReferenceError_(
                    "resource reference not found: Role %s/%s (iam.services.k8s.aws, HTTP %s)" % (namespace, name, exc.status))
            if not _synced(role):
                raise runtime.ReferenceError_("referenced resource Role %s/%s is not synced yet" % (namespace, name))
            spec["role"] = ((role.get("status") or {}).get("ackResourceMetadata") or {}).get("arn")
        return spec

    def read(self, cr, spec):
        try:
            out = self.awslambda.get_function(FunctionName=spec["name"])
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise
        return {"config": out["Configuration"], "code": out.get("Code", {}), "tags": out.get("Tags", {})}

    @staticmethod
    def _code(spec):
        code = spec.get("code") or {}
        out = {}
        if code.get("imageURI"):
            out["ImageUri"] = code["imageURI"]
        if code.get("s3Bucket"):
            out["S3Bucket"] = code["s3Bucket"]
        if code.get("s3Key"):
            out["S3Key"] = code["s3Key"]
        if code.get("s3ObjectVersion"):
            out["S3ObjectVersion"] = code["s3ObjectVersion"]
        if code.get("zipFile"):
            out["ZipFile"] = base64.b64decode(code["zipFile"])
        return out

    def create(self, cr, spec):
        kwargs = {"FunctionName": spec["name"], "Code": self._code(spec),
                  "PackageType": spec.get("packageType") or "Zip"}
        if spec.get("role"):
            kwargs["Role"] = spec["role"]
        for field, param in CONFIG_FIELDS.items():
            if field != "role" and spec.get(field) not in (None, ""):
                kwargs[param] = spec[field]
        if (spec.get("environment") or {}).get("variables") is not None:
            kwargs["Environment"] = {"Variables": dict(spec["environment"]["variables"])}
        if spec.get("architectures"):
            kwargs["Architectures"] = list(spec["architectures"])
        if spec.get("imageConfig"):
            ic = spec["imageConfig"]
            kwargs["ImageConfig"] = {k: v for k, v in (("Command", ic.get("command")), ("EntryPoint", ic.get("entryPoint")),
                                                       ("WorkingDirectory", ic.get("workingDirectory"))) if v}
        if spec.get("tags"):
            kwargs["Tags"] = dict(spec["tags"])
        if spec.get("publish") is not None:
            kwargs["Publish"] = bool(spec["publish"])
        if spec.get("layers"):
            kwargs["Layers"] = list(spec["layers"])
        if (spec.get("tracingConfig") or {}).get("mode"):
            kwargs["TracingConfig"] = {"Mode": spec["tracingConfig"]["mode"]}
        if (spec.get("ephemeralStorage") or {}).get("size"):
            kwargs["EphemeralStorage"] = {"Size": int(spec["ephemeralStorage"]["size"])}
        if (spec.get("deadLetterConfig") or {}).get("targetARN"):
            kwargs["DeadLetterConfig"] = {"TargetArn": spec["deadLetterConfig"]["targetARN"]}
        if spec.get("kmsKeyARN"):
            kwargs["KMSKeyArn"] = spec["kmsKeyARN"]
        self.awslambda.create_function(**kwargs)
        return self.read(cr, spec)

    def delta(self, spec, observed):
        config = observed["config"]
        diffs = [f for f, key in CONFIG_FIELDS.items() if spec.get(f) not in (None, "") and spec[f] != config.get(key)]
        if (spec.get("environment") or {}).get("variables") is not None:
            have = (config.get("Environment") or {}).get("Variables") or {}
            if dict(spec["environment"]["variables"]) != have:
                diffs.append("environment")
        if spec.get("imageConfig"):
            have = (config.get("ImageConfigResponse") or {}).get("ImageConfig") or {}
            ic = spec["imageConfig"]
            if (ic.get("command") or []) != (have.get("Command") or []) or \
                    (ic.get("entryPoint") or []) != (have.get("EntryPoint") or []) or \
                    (ic.get("workingDirectory") or None) != (have.get("WorkingDirectory") or None):
                diffs.append("imageConfig")
        image = (spec.get("code") or {}).get("imageURI")
        if image and image != observed["code"].get("ImageUri"):
            diffs.append("code.imageURI")
        sha = (spec.get("code") or {}).get("sha256")
        if sha and not image and sha != config.get("CodeSha256"):
            diffs.append("code")
        if spec.get("tags") is not None and dict(spec["tags"]) != {k: v for k, v in observed["tags"].items()
                                                                   if not k.startswith("aws:")}:
            diffs.append("tags")
        return diffs

    def update(self, cr, spec, observed, diffs):
        name = spec["name"]
        kwargs = {CONFIG_FIELDS[f]: spec[f] for f in diffs if f in CONFIG_FIELDS}
        if "environment" in diffs:
            kwargs["Environment"] = {"Variables": dict(spec["environment"]["variables"])}
        if "imageConfig" in diffs:
            ic = spec["imageConfig"]
            kwargs["ImageConfig"] = {"Command": ic.get("command") or [], "EntryPoint": ic.get("entryPoint") or [],
                                     "WorkingDirectory": ic.get("workingDirectory") or ""}
        if kwargs:
            self.awslambda.update_function_configuration(FunctionName=name, **kwargs)
        if "code.imageURI" in diffs:
            self.awslambda.update_function_code(FunctionName=name, ImageUri=spec["code"]["imageURI"])
        elif "code" in diffs:
            code = self._code(spec)
            code.pop("ImageUri", None)
            self.awslambda.update_function_code(FunctionName=name, **code)
        if "tags" in diffs:
            arn = observed["config"]["FunctionArn"]
            desired = dict(spec["tags"])
            gone = [k for k in observed["tags"] if k not in desired and not k.startswith("aws:")]
            if gone:
                self.awslambda.untag_resource(Resource=arn, TagKeys=gone)
            if desired:
                self.awslambda.tag_resource(Resource=arn, Tags=desired)
        return self.read(cr, spec)

    def delete(self, cr, spec, observed):
        self.awslambda.delete_function(FunctionName=spec["name"])

    def status(self, observed):
        config = observed["config"]
        fields = {
            "state": config.get("State"),
            "stateReason": config.get("StateReason"),
            "stateReasonCode": config.get("StateReasonCode"),
            "lastUpdateStatus": config.get("LastUpdateStatus"),
            "lastUpdateStatusReason": config.get("LastUpdateStatusReason"),
            "codeSHA256": config.get("CodeSha256"),
            "codeSize": config.get("CodeSize"),
            "lastModified": config.get("LastModified"),
            "version": config.get("Version"),
        }
        return config["FunctionArn"], {k: v for k, v in fields.items() if v is not None}

    def is_synced(self, observed):
        config = observed["config"]
        return config.get("State") == "Active" and config.get("LastUpdateStatus") in (None, "Successful")

    def is_terminal(self, exc):
        # lambda-controller generator.yaml: InvalidParameterValueException is terminal for Function
        return runtime.error_code(exc) in ("InvalidParameterValueException", "ValidationException")


ESM_FIELDS = {
    "batchSize": "BatchSize",
    "maximumBatchingWindowInSeconds": "MaximumBatchingWindowInSeconds",
    "enabled": None,  # Enabled on input, State on output
    "functionResponseTypes": "FunctionResponseTypes",
    "bisectBatchOnFunctionError": "BisectBatchOnFunctionError",
    "maximumRetryAttempts": "MaximumRetryAttempts",
    "maximumRecordAgeInSeconds": "MaximumRecordAgeInSeconds",
    "parallelizationFactor": "ParallelizationFactor",
}


class EventSourceMappingManager(runtime.ResourceManager):
    kind = "EventSourceMapping"
    plural = "eventsourcemappings"
    service = "lambda"

    @property
    def awslambda(self):
        return self.ctx.client("lambda")

    def references_present(self, cr):
        spec = cr.get("spec") or {}
        return bool(_ref_name(spec.get("functionRef")) or _ref_name(spec.get("eventSourceRef")))

    def resolve_references(self, cr):
        spec = dict(cr.get("spec") or {})
        name = _ref_name(spec.get("functionRef"))
        if name:
            namespace = _ref_namespace(spec["functionRef"], cr)
            try:
                fn = self.ctx.custom.get_namespaced_custom_object(
                    "lambda.services.k8s.aws", "v1alpha1", namespace, "functions", name)
            except runtime.kubernetes.client.ApiException as exc:
                if exc.status == 404:
                    raise runtime.ReferenceError_("resource reference not found: Function %s/%s" % (namespace, name))
                raise
            if not _synced(fn):
                raise runtime.ReferenceError_("referenced resource Function %s/%s is not synced yet" % (namespace, name))
            spec["functionName"] = (fn.get("spec") or {}).get("name")
        if _ref_name(spec.get("eventSourceRef")):
            raise runtime.TerminalError("eventSourceRef (Amazon MSK / MQ) is not supported by the sandbox stand-in: "
                                        "set spec.eventSourceARN")
        return spec

    def validate(self, spec):
        if not spec.get("functionName"):
            raise runtime.TerminalError("spec.functionName or spec.functionRef is required")

    def read(self, cr, spec):
        uuid = (cr.get("status") or {}).get("uuid")
        if not uuid:
            return None
        try:
            return self.awslambda.get_event_source_mapping(UUID=uuid)
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise

    def _params(self, spec, fields):
        out = {}
        for field in fields:
            if spec.get(field) is None:
                continue
            if field == "enabled":
                out["Enabled"] = bool(spec["enabled"])
            else:
                out[ESM_FIELDS[field]] = spec[field]
        if "filterCriteria" in fields and spec.get("filterCriteria"):
            out["FilterCriteria"] = {"Filters": [{"Pattern": f["pattern"]} for f in spec["filterCriteria"].get("filters") or []]}
        if "scalingConfig" in fields and spec.get("scalingConfig"):
            out["ScalingConfig"] = {"MaximumConcurrency": int(spec["scalingConfig"]["maximumConcurrency"])}
        return out

    def create(self, cr, spec):
        kwargs = {"FunctionName": spec["functionName"]}
        if spec.get("eventSourceARN"):
            kwargs["EventSourceArn"] = spec["eventSourceARN"]
        if spec.get("startingPosition"):
            kwargs["StartingPosition"] = spec["startingPosition"]
        kwargs.update(self._params(spec, list(ESM_FIELDS) + ["filterCriteria", "scalingConfig"]))
        out = self.awslambda.create_event_source_mapping(**kwargs)
        return self.awslambda.get_event_source_mapping(UUID=out["UUID"])

    def delta(self, spec, observed):
        diffs = []
        for field, key in ESM_FIELDS.items():
            if spec.get(field) is None:
                continue
            if field == "enabled":
                if bool(spec["enabled"]) != (observed.get("State") in ("Enabled", "Enabling")):
                    diffs.append(field)
            elif observed.get(key) is not None and spec[field] != observed.get(key):
                diffs.append(field)
            elif observed.get(key) is None and spec[field] not in ([], 0, False):
                diffs.append(field)
        fn_arn = observed.get("FunctionArn", "")
        if spec.get("functionName") and not (fn_arn == spec["functionName"] or fn_arn.endswith(":function:" + spec["functionName"])):
            diffs.append("functionName")
        return diffs

    def update(self, cr, spec, observed, diffs):
        kwargs = self._params(spec, [d for d in diffs if d in ESM_FIELDS])
        if "functionName" in diffs:
            kwargs["FunctionName"] = spec["functionName"]
        self.awslambda.update_event_source_mapping(UUID=observed["UUID"], **kwargs)
        return self.awslambda.get_event_source_mapping(UUID=observed["UUID"])

    def delete(self, cr, spec, observed):
        self.awslambda.delete_event_source_mapping(UUID=observed["UUID"])

    def status(self, observed):
        arn = observed.get("EventSourceMappingArn") or "arn:aws:lambda:%s:%s:event-source-mapping:%s" % (
            self.ctx.current_region, self.ctx.account_id, observed["UUID"])
        modified = observed.get("LastModified")
        fields = {
            "uuid": observed["UUID"],
            "state": observed.get("State"),
            "functionARN": observed.get("FunctionArn"),
            "stateTransitionReason": observed.get("StateTransitionReason"),
            "lastProcessingResult": observed.get("LastProcessingResult"),
            "lastModified": modified.astimezone(runtime.datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            if modified is not None else None,
        }
        return arn, {k: v for k, v in fields.items() if v is not None}

    def is_synced(self, observed):
        return observed.get("State") in ("Enabled", "Disabled")

    def is_terminal(self, exc):
        return runtime.error_code(exc) in ("InvalidParameterValueException", "ValidationException")


MANAGERS = [FunctionManager, EventSourceMappingManager]


def main(argv=None):
    return runtime.run("lambda", MANAGERS, argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
