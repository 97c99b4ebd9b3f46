// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package table

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackcondition "github.com/aws-controllers-k8s/runtime/pkg/condition"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	ackrequeue "github.com/aws-controllers-k8s/runtime/pkg/requeue"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	corev1 "k8s.io/api/core/v1"

	ddbv1 "ackops.local/sandbox/ack-controller/apis/dynamodb/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

// The controller's waits while the table is busy.
var (
	waitCreating = ackrequeue.NeededAfter(errors.New("table in 'CREATING' state, cannot be modified or deleted"), 5*time.Second)
	waitDeleting = ackrequeue.NeededAfter(errors.New("table in 'DELETING' state, cannot be modified or deleted"), 5*time.Second)
	waitUpdating = ackrequeue.NeededAfter(errors.New("table in 'UPDATING' state, cannot be modified or deleted"), 10*time.Second)
)

type ops struct {
	env *ackkind.Env
	ddb *dynamodb.Client
}

func newOps(env *ackkind.Env) ackkind.Ops[*ddbv1.Table] {
	return &ops{env: env, ddb: dynamodb.NewFromConfig(env.AWS)}
}

func status(t *ddbv1.Table) string { return aws.ToString(t.Status.TableStatus) }

func (o *ops) Find(ctx context.Context, r *ddbv1.Table) (*ddbv1.Table, error) {
	if r.Spec.TableName == nil {
		return nil, ackerr.NotFound
	}
	resp, err := o.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: r.Spec.TableName})
	o.env.Record("READ_ONE", "DescribeTable", err)
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ResourceNotFoundException" {
			return nil, ackerr.NotFound
		}
		return nil, err
	}
	ko := r.DeepCopy()
	fromDescription(ko, resp.Table, true)
	o.env.SetStatusDefaults(ko)
	if status(ko) == "CREATING" {
		return ko, waitCreating
	}
	if err := o.readContributorInsights(ctx, ko); err != nil {
		return ko, err
	}
	if status(ko) == "UPDATING" || strings.HasSuffix(aws.ToString(ko.Spec.ContributorInsights), "ING") {
		return ko, waitUpdating
	}
	if err := o.readAdditionalFields(ctx, ko); err != nil {
		return nil, err
	}
	return ko, nil
}

// readContributorInsights is called on every read, as by the real controller (moto needs the
// sandbox shim for it: sandbox/aws/shims/dynamodb_contributor_insights.py).
func (o *ops) readContributorInsights(ctx context.Context, ko *ddbv1.Table) error {
	resp, err := o.ddb.DescribeContributorInsights(ctx, &dynamodb.DescribeContributorInsightsInput{TableName: ko.Spec.TableName})
	o.env.Record("READ_ONE", "DescribeContributorInsights", err)
	if err != nil {
		return err
	}
	if ko.Spec.ContributorInsights != nil {
		ko.Spec.ContributorInsights = aws.String(string(resp.ContributorInsightsStatus))
	}
	return nil
}

// readAdditionalFields: tags, time to live and point-in-time recovery, each its own call.
func (o *ops) readAdditionalFields(ctx context.Context, ko *ddbv1.Table) error {
	tags := map[string]string{}
	var token *string
	for {
		resp, err := o.ddb.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: ackkind.ARNOf(ko), NextToken: token})
		o.env.Record("GET", "ListTagsOfResource", err)
		if err != nil {
			return err
		}
		for _, t := range resp.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if token = resp.NextToken; token == nil {
			break
		}
	}
	setTags(ko, tags)
	ttl, err := o.ddb.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: ko.Spec.TableName})
	o.env.Record("GET", "DescribeTimeToLive", err)
	if err != nil {
		return err
	}
	ttlStatus := ttl.TimeToLiveDescription.TimeToLiveStatus
	ko.Spec.TimeToLive = &ddbv1.TimeToLiveSpecification{AttributeName: ttl.TimeToLiveDescription.AttributeName,
		Enabled: aws.Bool(ttlStatus == ddbtypes.TimeToLiveStatusEnabled || ttlStatus == ddbtypes.TimeToLiveStatusEnabling)}
	backups, err := o.ddb.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: ko.Spec.TableName})
	o.env.Record("GET", "DescribeContinuousBackups", err)
	if err != nil {
		return err
	}
	pitr := false
	if d := backups.ContinuousBackupsDescription; d != nil && d.PointInTimeRecoveryDescription != nil {
		pitr = d.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == ddbtypes.PointInTimeRecoveryStatusEnabled
	}
	ko.Spec.ContinuousBackups = &ddbv1.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: &pitr}
	return nil
}

func (o *ops) Create(ctx context.Context, desired *ddbv1.Table) (*ddbv1.Table, error) {
	resp, err := o.ddb.CreateTable(ctx, createInput(desired))
	o.env.Record("CREATE", "CreateTable", err)
	if err != nil {
		return nil, err
	}
	ko := desired.DeepCopy()
	fromDescription(ko, resp.TableDescription, false)
	o.env.SetStatusDefaults(ko)
	if desired.Spec.TimeToLive != nil || desired.Spec.ContributorInsights != nil {
		// set by the next update, once the table exists
		ackcondition.SetSynced(Kind.Wrap(ko), corev1.ConditionFalse, nil, nil)
	}
	return ko, nil
}

func (o *ops) Update(ctx context.Context, desired, latest *ddbv1.Table, delta *ackcompare.Delta) (*ddbv1.Table, error) {
	switch status(latest) {
	case "DELETING":
		return o.notSynced(desired, "table is currently being deleted", waitDeleting)
	case "CREATING":
		return o.notSynced(desired, "table is currently being created", waitCreating)
	}
	ko := desired.DeepCopy()
	o.env.SetStatusDefaults(ko)
	if delta.DifferentAt("Spec.Tags") {
		if err := o.syncTags(ctx, desired, latest); err != nil {
			return nil, err
		}
	}
	if !delta.DifferentExcept("Spec.Tags") {
		return ko, nil
	}
	if status(latest) == "UPDATING" {
		return o.notSynced(desired, "table is currently being updated", waitUpdating)
	}
	if err := o.applyChanges(ctx, desired, latest, delta); err != nil {
		return nil, err
	}
	return ko, waitUpdating
}

func (o *ops) notSynced(desired *ddbv1.Table, msg string, wait error) (*ddbv1.Table, error) {
	ackcondition.SetSynced(Kind.Wrap(desired), corev1.ConditionFalse, &msg, nil)
	return desired, wait
}

// applyChanges makes the calls a spec change needs, in the real controller's order.
func (o *ops) applyChanges(ctx context.Context, desired, latest *ddbv1.Table, delta *ackcompare.Delta) error {
	name := desired.Spec.TableName
	if delta.DifferentAt("Spec.TimeToLive") {
		if err := o.syncTTL(ctx, desired, latest); err != nil {
			return err
		}
	}
	if delta.DifferentAt("Spec.SSESpecification") {
		in := &dynamodb.UpdateTableInput{TableName: name, SSESpecification: &ddbtypes.SSESpecification{Enabled: aws.Bool(false)}}
		if sse := desired.Spec.SSESpecification; sse != nil && aws.ToBool(sse.Enabled) {
			in.SSESpecification = &ddbtypes.SSESpecification{Enabled: aws.Bool(true),
				SSEType: ddbtypes.SSEType(aws.ToString(sse.SSEType)), KMSMasterKeyId: sse.KMSMasterKeyID}
		}
		if err := o.updateTable(ctx, in); err != nil {
			return fmt.Errorf("cannot update table %v", err)
		}
	}
	if delta.DifferentAt("Spec.BillingMode") || delta.DifferentAt("Spec.TableClass") || delta.DifferentAt("Spec.DeletionProtectionEnabled") {
		if err := o.updateTable(ctx, tableSettings(desired, delta)); err != nil {
			return fmt.Errorf("cannot update table %v", err)
		}
	}
	if delta.DifferentAt("Spec.ContinuousBackups") {
		pitr := &ddbtypes.PointInTimeRecoverySpecification{}
		if cb := desired.Spec.ContinuousBackups; cb != nil {
			pitr.PointInTimeRecoveryEnabled = cb.PointInTimeRecoveryEnabled
		}
		_, err := o.ddb.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: name, PointInTimeRecoverySpecification: pitr})
		o.env.Record("UPDATE", "UpdateContinuousBackups", err)
		if err != nil {
			return fmt.Errorf("cannot update table %v", err)
		}
	}
	if delta.DifferentAt("Spec.ContributorInsights") {
		_, err := o.ddb.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: name,
			ContributorInsightsAction: ddbtypes.ContributorInsightsAction(insightAction(desired.Spec.ContributorInsights))})
		o.env.Record("UPDATE", "UpdateContributorInsights", err)
		if err != nil {
			return err
		}
	}
	if !delta.DifferentExcept("Spec.Tags", "Spec.TimeToLive") {
		return nil
	}
	switch {
	case delta.DifferentAt("Spec.StreamSpecification"):
		return o.updateTable(ctx, tableSettings(desired, delta))
	case delta.DifferentAt("Spec.ProvisionedThroughput"):
		return o.updateTable(ctx, &dynamodb.UpdateTableInput{TableName: name,
			ProvisionedThroughput: sdkThroughput(orZero(desired.Spec.ProvisionedThroughput))})
	}
	return nil
}

// tableSettings is the UpdateTable call for billing mode, stream, table class and deletion
// protection, each only when it differs.
func tableSettings(desired *ddbv1.Table, delta *ackcompare.Delta) *dynamodb.UpdateTableInput {
	s := desired.Spec
	in := &dynamodb.UpdateTableInput{TableName: s.TableName}
	if delta.DifferentAt("Spec.BillingMode") {
		in.BillingMode = ddbtypes.BillingModeProvisioned
		if s.BillingMode != nil {
			in.BillingMode = ddbtypes.BillingMode(*s.BillingMode)
		}
		if in.BillingMode == ddbtypes.BillingModeProvisioned {
			in.ProvisionedThroughput = sdkThroughput(orZero(s.ProvisionedThroughput))
		}
	}
	if delta.DifferentAt("Spec.StreamSpecification") && s.StreamSpecification != nil {
		in.StreamSpecification = sdkStream(s.StreamSpecification)
	}
	if delta.DifferentAt("Spec.TableClass") && s.TableClass != nil {
		in.TableClass = ddbtypes.TableClass(*s.TableClass)
	}
	if delta.DifferentAt("Spec.DeletionProtectionEnabled") {
		in.DeletionProtectionEnabled = aws.Bool(aws.ToBool(s.DeletionProtectionEnabled))
	}
	return in
}

func orZero(p *ddbv1.ProvisionedThroughput) *ddbv1.ProvisionedThroughput {
	if p == nil {
		return &ddbv1.ProvisionedThroughput{}
	}
	return p
}

func (o *ops) updateTable(ctx context.Context, in *dynamodb.UpdateTableInput) error {
	_, err := o.ddb.UpdateTable(ctx, in)
	o.env.Record("UPDATE", "UpdateTable", err)
	return err
}

func (o *ops) syncTTL(ctx context.Context, desired, latest *ddbv1.Table) error {
	spec := &ddbtypes.TimeToLiveSpecification{Enabled: aws.Bool(false), AttributeName: aws.String("")}
	if ttl := desired.Spec.TimeToLive; ttl != nil {
		spec = &ddbtypes.TimeToLiveSpecification{AttributeName: ttl.AttributeName, Enabled: ttl.Enabled}
	} else if latest.Spec.TimeToLive != nil && latest.Spec.TimeToLive.AttributeName != nil {
		spec.AttributeName = latest.Spec.TimeToLive.AttributeName
	}
	_, err := o.ddb.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: desired.Spec.TableName, TimeToLiveSpecification: spec})
	o.env.Record("UPDATE", "UpdateTimeToLive", err)
	if awsErr, ok := ackerr.AWSError(err); ok && awsErr.ErrorCode() == "ValidationException" &&
		strings.HasPrefix(awsErr.ErrorMessage(), "TimeToLive is already disabled") {
		return nil
	}
	return err
}

func (o *ops) syncTags(ctx context.Context, desired, latest *ddbv1.Table) error {
	set, remove := ackkind.TagsDelta(tagsOf(desired), tagsOf(latest))
	arn := ackkind.ARNOf(latest)
	if len(remove) > 0 {
		_, err := o.ddb.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: remove})
		o.env.Record("UPDATE", "UntagResource", err)
		if err != nil {
			return err
		}
	}
	if len(set) > 0 {
		var tags []ddbtypes.Tag
		for _, k := range sortedKeys(set) {
			tags = append(tags, ddbtypes.Tag{Key: aws.String(k), Value: aws.String(set[k])})
		}
		_, err := o.ddb.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: tags})
		o.env.Record("UPDATE", "TagResource", err)
		return err
	}
	return nil
}

func (o *ops) Delete(ctx context.Context, r *ddbv1.Table) (*ddbv1.Table, error) {
	switch status(r) {
	case "DELETING":
		return nil, waitDeleting
	case "UPDATING":
		return nil, waitUpdating
	}
	_, err := o.ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: r.Spec.TableName})
	o.env.Record("DELETE", "DeleteTable", err)
	return nil, err
}
