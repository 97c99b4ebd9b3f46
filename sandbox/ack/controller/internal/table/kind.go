// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

// Package table reconciles dynamodb Table resources, following dynamodb-controller v1.9.2
// (generator.yaml, pkg/resource/table): synced when the table is ACTIVE or ARCHIVED, nothing
// late-initialized, ValidationException and InvalidParameter terminal, every read also asks
// for contributor insights, tags, time to live and continuous backups, and every update that
// touches more than tags ends with a 10 s requeue while the table updates.
package table

import (
	"strings"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	acktags "github.com/aws-controllers-k8s/runtime/pkg/tags"
	"github.com/aws/aws-sdk-go-v2/aws"

	ddbv1 "ackops.local/sandbox/ack-controller/apis/dynamodb/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

// Kind is the Table kind.
var Kind = &ackkind.Kind[*ddbv1.Table]{
	GVK:           ddbv1.GroupVersion.WithKind("Table"),
	New:           func() *ddbv1.Table { return &ddbv1.Table{} },
	NewOps:        newOps,
	Delta:         delta,
	TerminalCodes: []string{"InvalidParameter", "ValidationException"},
	PrimaryKey:    "tableName",
	SetPrimaryKey: func(t *ddbv1.Table, name string) { t.Spec.TableName = &name },
	Synced: func(t *ddbv1.Table) bool {
		status := aws.ToString(t.Status.TableStatus)
		return status == "ACTIVE" || status == "ARCHIVED"
	},
	Tags: &ackkind.TagField[*ddbv1.Table]{Get: tagsOf, Set: setTags},
}

// skipped are compared by compareSchemaAndDefaults below or not at all (generator.yaml
// compare.is_ignored): the key schema and indexes are immutable, tags compare as a set.
var skipped = []string{"Spec.AttributeDefinitions", "Spec.KeySchema", "Spec.GlobalSecondaryIndexes",
	"Spec.LocalSecondaryIndexes", "Spec.Tags", "Spec.SSESpecification", "Spec.ContributorInsights"}

// delta applies the controller's defaults to desired before comparing, as its customPreCompare
// does: billing mode PROVISIONED, table class STANDARD, no deletion protection, no throughput
// on PAY_PER_REQUEST, TTL and point-in-time recovery off when unset but present in AWS.
func delta(a, b *ddbv1.Table) *ackcompare.Delta {
	d := ackcompare.NewDelta()
	if !sameSet(keyNames(a.Spec.KeySchema), keyNames(b.Spec.KeySchema)) {
		d.Add("Spec.KeySchema", a.Spec.KeySchema, b.Spec.KeySchema)
	}
	if !sameSet(attributeNames(a.Spec.AttributeDefinitions), attributeNames(b.Spec.AttributeDefinitions)) {
		d.Add("Spec.AttributeDefinitions", a.Spec.AttributeDefinitions, b.Spec.AttributeDefinitions)
	}
	if !sameSet(tagPairs(a), tagPairs(b)) {
		d.Add("Spec.Tags", a.Spec.Tags, b.Spec.Tags)
	}
	sseDelta(d, a.Spec.SSESpecification, b.Spec.SSESpecification)
	if a.Spec.ContributorInsights != nil && insightAction(a.Spec.ContributorInsights) != insightAction(b.Spec.ContributorInsights) {
		d.Add("Spec.ContributorInsights", a.Spec.ContributorInsights, b.Spec.ContributorInsights)
	}
	if a.Spec.BillingMode == nil {
		a.Spec.BillingMode = aws.String("PROVISIONED")
	}
	if a.Spec.TableClass == nil {
		a.Spec.TableClass = aws.String("STANDARD")
	}
	for _, t := range []*ddbv1.Table{a, b} {
		if aws.ToString(t.Spec.BillingMode) == "PAY_PER_REQUEST" {
			t.Spec.ProvisionedThroughput = nil
		}
	}
	if a.Spec.TimeToLive == nil && b.Spec.TimeToLive != nil {
		a.Spec.TimeToLive = &ddbv1.TimeToLiveSpecification{Enabled: aws.Bool(false)}
	}
	if a.Spec.ContinuousBackups == nil && b.Spec.ContinuousBackups != nil && b.Spec.ContinuousBackups.PointInTimeRecoveryEnabled != nil {
		a.Spec.ContinuousBackups = &ddbv1.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)}
	}
	if a.Spec.DeletionProtectionEnabled == nil {
		a.Spec.DeletionProtectionEnabled = aws.Bool(false)
	}
	d.Differences = append(d.Differences, ackkind.SpecDelta(a, b, skipped, nil).Differences...)
	return d
}

// sseDelta: encryption the user does not ask for is no difference; the KMS key only counts
// when the user names one.
func sseDelta(d *ackcompare.Delta, a, b *ddbv1.SSESpecification) {
	switch {
	case a == nil && b == nil:
	case a != nil && b == nil:
		if aws.ToBool(a.Enabled) {
			d.Add("Spec.SSESpecification", a, b)
		}
	case a == nil:
		d.Add("Spec.SSESpecification", a, b)
	default:
		if ackcompare.HasNilDifference(a.Enabled, b.Enabled) || aws.ToBool(a.Enabled) != aws.ToBool(b.Enabled) {
			d.Add("Spec.SSESpecification.Enabled", a.Enabled, b.Enabled)
		}
		if a.KMSMasterKeyID != nil && aws.ToString(a.KMSMasterKeyID) != aws.ToString(b.KMSMasterKeyID) {
			d.Add("Spec.SSESpecification.KMSMasterKeyID", a.KMSMasterKeyID, b.KMSMasterKeyID)
		}
		if ackcompare.HasNilDifference(a.SSEType, b.SSEType) || aws.ToString(a.SSEType) != aws.ToString(b.SSEType) {
			d.Add("Spec.SSESpecification.SSEType", a.SSEType, b.SSEType)
		}
	}
}

// insightAction is ENABLE or DISABLE for a spec value that may hold either an action or a status.
func insightAction(v *string) string {
	if strings.HasPrefix(aws.ToString(v), "ENABLE") {
		return "ENABLE"
	}
	return "DISABLE"
}

func keyNames(keys []*ddbv1.KeySchemaElement) []string {
	out := []string{}
	for _, k := range keys {
		out = append(out, aws.ToString(k.AttributeName)+"="+aws.ToString(k.KeyType))
	}
	return out
}

func attributeNames(defs []*ddbv1.AttributeDefinition) []string {
	out := []string{}
	for _, a := range defs {
		out = append(out, aws.ToString(a.AttributeName)+"="+aws.ToString(a.AttributeType))
	}
	return out
}

func tagPairs(t *ddbv1.Table) []string {
	out := []string{}
	for k, v := range tagsOf(t) {
		out = append(out, k+"="+v)
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
		if seen[s] < 0 {
			return false
		}
	}
	return true
}

func tagsOf(t *ddbv1.Table) acktags.Tags {
	out := acktags.NewTags()
	for _, tag := range t.Spec.Tags {
		out[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return out
}

func setTags(t *ddbv1.Table, tags acktags.Tags) {
	t.Spec.Tags = []*ddbv1.Tag{}
	for _, k := range sortedKeys(tags) {
		t.Spec.Tags = append(t.Spec.Tags, &ddbv1.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
}
