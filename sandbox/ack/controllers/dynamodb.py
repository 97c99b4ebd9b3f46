# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Stand-in for the ACK dynamodb-controller: kind Table (DescribeTable, CreateTable, UpdateTable,
UpdateTimeToLive, ListTagsOfResource, TagResource/UntagResource, DeleteTable).

The real controller also calls DescribeContributorInsights on every read; moto 5.2.5 does not
implement it, so the stand-in does not call it (spec.contributorInsights is not reconciled)."""

import sys

from botocore.exceptions import ClientError

from . import runtime


def _key_schema(items):
    return [{"AttributeName": i["attributeName"], "KeyType": i["keyType"]} for i in items or []]


def _projection(p):
    out = {"ProjectionType": (p or {}).get("projectionType", "ALL")}
    if (p or {}).get("nonKeyAttributes"):
        out["NonKeyAttributes"] = list(p["nonKeyAttributes"])
    return out


def _throughput(t):
    return {"ReadCapacityUnits": int(t.get("readCapacityUnits", 0)),
            "WriteCapacityUnits": int(t.get("writeCapacityUnits", 0))}


class TableManager(runtime.ResourceManager):
    kind = "Table"
    plural = "tables"
    service = "dynamodb"

    @property
    def ddb(self):
        return self.ctx.client("dynamodb")

    def read(self, cr, spec):
        try:
            table = self.ddb.describe_table(TableName=spec["tableName"])["Table"]
        except ClientError as exc:
            if runtime.error_code(exc) == "ResourceNotFoundException":
                return None
            raise
        tags = {}
        if table.get("TableStatus") == "ACTIVE":
            for tag in self.ddb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", []):
                tags[tag["Key"]] = tag["Value"]
            ttl = self.ddb.describe_time_to_live(TableName=spec["tableName"]).get("TimeToLiveDescription", {})
        else:
            ttl = {}
        return {"table": table, "tags": tags, "ttl": ttl}

    def create(self, cr, spec):
        kwargs = {
            "TableName": spec["tableName"],
            "KeySchema": _key_schema(spec.get("keySchema")),
            "AttributeDefinitions": [{"AttributeName": a["attributeName"], "AttributeType": a["attributeType"]}
                                     for a in spec.get("attributeDefinitions") or []],
        }
        if spec.get("billingMode"):
            kwargs["BillingMode"] = spec["billingMode"]
        if spec.get("provisionedThroughput"):
            kwargs["ProvisionedThroughput"] = _throughput(spec["provisionedThroughput"])
        if spec.get("globalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = []
            for gsi in spec["globalSecondaryIndexes"]:
                item = {"IndexName": gsi["indexName"], "KeySchema": _key_schema(gsi.get("keySchema")),
                        "Projection": _projection(gsi.get("projection"))}
                if gsi.get("provisionedThroughput"):
                    item["ProvisionedThroughput"] = _throughput(gsi["provisionedThroughput"])
                kwargs["GlobalSecondaryIndexes"].append(item)
        if spec.get("localSecondaryIndexes"):
            kwargs["LocalSecondaryIndexes"] = [
                {"IndexName": lsi["indexName"], "KeySchema": _key_schema(lsi.get("keySchema")),
                 "Projection": _projection(lsi.get("projection"))} for lsi in spec["localSecondaryIndexes"]]
        if spec.get("streamSpecification"):
            stream = {"StreamEnabled": bool(spec["streamSpecification"].get("streamEnabled"))}
            if spec["streamSpecification"].get("streamViewType"):
                stream["StreamViewType"] = spec["streamSpecification"]["streamViewType"]
            kwargs["StreamSpecification"] = stream
        if spec.get("sseSpecification"):
            sse = spec["sseSpecification"]
            kwargs["SSESpecification"] = {k: v for k, v in (("Enabled", sse.get("enabled")), ("SSEType", sse.get("sseType")),
                                                            ("KMSMasterKeyId", sse.get("kmsMasterKeyID"))) if v is not None}
        if spec.get("tableClass"):
            kwargs["TableClass"] = spec["tableClass"]
        if spec.get("deletionProtectionEnabled") is not None:
            kwargs["DeletionProtectionEnabled"] = bool(spec["deletionProtectionEnabled"])
        if spec.get("tags"):
            kwargs["Tags"] = [{"Key": t["key"], "Value": t.get("value", "")} for t in spec["tags"]]
        self.ddb.create_table(**kwargs)
        observed = self.read(cr, spec)
        if spec.get("timeToLive") and observed and observed["table"].get("TableStatus") == "ACTIVE":
            self._update_ttl(spec)
            observed = self.read(cr, spec)
        return observed

    def _update_ttl(self, spec):
        ttl = spec["timeToLive"]
        self.ddb.update_time_to_live(TableName=spec["tableName"], TimeToLiveSpecification={
            "Enabled": bool(ttl.get("enabled")), "AttributeName": ttl.get("attributeName", "")})

    def delta(self, spec, observed):
        table = observed["table"]
        diffs = []
        mode = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
        if spec.get("billingMode") and spec["billingMode"] != mode:
            diffs.append("billingMode")
        if spec.get("provisionedThroughput") and spec.get("billingMode", "PROVISIONED") == "PROVISIONED":
            have = table.get("ProvisionedThroughput") or {}
            want = _throughput(spec["provisionedThroughput"])
            if any(have.get(k) != v for k, v in want.items()):
                diffs.append("provisionedThroughput")
        if spec.get("tags") is not None:
            if {t["key"]: t.get("value", "") for t in spec["tags"]} != observed["tags"]:
                diffs.append("tags")
        if spec.get("timeToLive") and observed["ttl"]:
            enabled = observed["ttl"].get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
            if bool(spec["timeToLive"].get("enabled")) != enabled:
                diffs.append("timeToLive")
        if spec.get("deletionProtectionEnabled") is not None and \
                bool(spec["deletionProtectionEnabled"]) != bool(table.get("DeletionProtectionEnabled", False)):
            diffs.append("deletionProtectionEnabled")
        return diffs

    def update(self, cr, spec, observed, diffs):
        kwargs = {}
        if "billingMode" in diffs:
            kwargs["BillingMode"] = spec["billingMode"]
        if ("provisionedThroughput" in diffs or "billingMode" in diffs) and spec.get("provisionedThroughput") \
                and spec.get("billingMode", "PROVISIONED") == "PROVISIONED":
            kwargs["ProvisionedThroughput"] = _throughput(spec["provisionedThroughput"])
        if "deletionProtectionEnabled" in diffs:
            kwargs["DeletionProtectionEnabled"] = bool(spec["deletionProtectionEnabled"])
        if kwargs:
            self.ddb.update_table(TableName=spec["tableName"], **kwargs)
        if "timeToLive" in diffs:
            self._update_ttl(spec)
        if "tags" in diffs:
            arn = observed["table"]["TableArn"]
            desired = {t["key"]: t.get("value", "") for t in spec["tags"]}
            gone = [k for k in observed["tags"] if k not in desired]
            if gone:
                self.ddb.untag_resource(ResourceArn=arn, TagKeys=gone)
            if desired:
                self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in desired.items()])
        return self.read(cr, spec)

    def delete(self, cr, spec, observed):
        self.ddb.delete_table(TableName=spec["tableName"])

    def status(self, observed):
        table = observed["table"]
        fields = {"tableStatus": table.get("TableStatus"), "tableID": table.get("TableId"),
                  "itemCount": int(table.get("ItemCount", 0)), "tableSizeBytes": int(table.get("TableSizeBytes", 0))}
        created = table.get("CreationDateTime")
        if created is not None:
            fields["creationDateTime"] = created.astimezone(runtime.datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if table.get("LatestStreamArn"):
            fields["latestStreamARN"] = table["LatestStreamArn"]
            fields["latestStreamLabel"] = table.get("LatestStreamLabel")
        return table["TableArn"], {k: v for k, v in fields.items() if v is not None}

    def is_synced(self, observed):
        return observed["table"].get("TableStatus") == "ACTIVE"


MANAGERS = [TableManager]


def main(argv=None):
    return runtime.run("dynamodb", MANAGERS, argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
