// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package table

import (
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ddbv1 "ackops.local/sandbox/ack-controller/apis/dynamodb/v1alpha1"
	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

// Spec -> DynamoDB API.

func createInput(t *ddbv1.Table) *dynamodb.CreateTableInput {
	s := t.Spec
	in := &dynamodb.CreateTableInput{
		TableName:                 s.TableName,
		KeySchema:                 sdkKeySchema(s.KeySchema),
		BillingMode:               ddbtypes.BillingMode(aws.ToString(s.BillingMode)),
		DeletionProtectionEnabled: s.DeletionProtectionEnabled,
		ProvisionedThroughput:     sdkThroughput(s.ProvisionedThroughput),
		StreamSpecification:       sdkStream(s.StreamSpecification),
		TableClass:                ddbtypes.TableClass(aws.ToString(s.TableClass)),
	}
	for _, a := range s.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: a.AttributeName, AttributeType: ddbtypes.ScalarAttributeType(aws.ToString(a.AttributeType))})
	}
	for _, g := range s.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName: g.IndexName, KeySchema: sdkKeySchema(g.KeySchema), Projection: sdkProjection(g.Projection),
			ProvisionedThroughput: sdkThroughput(g.ProvisionedThroughput)})
	}
	for _, l := range s.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, ddbtypes.LocalSecondaryIndex{
			IndexName: l.IndexName, KeySchema: sdkKeySchema(l.KeySchema), Projection: sdkProjection(l.Projection)})
	}
	if s.SSESpecification != nil {
		in.SSESpecification = &ddbtypes.SSESpecification{Enabled: s.SSESpecification.Enabled,
			KMSMasterKeyId: s.SSESpecification.KMSMasterKeyID, SSEType: ddbtypes.SSEType(aws.ToString(s.SSESpecification.SSEType))}
	}
	for _, tag := range s.Tags {
		in.Tags = append(in.Tags, ddbtypes.Tag{Key: tag.Key, Value: tag.Value})
	}
	return in
}

func sdkKeySchema(keys []*ddbv1.KeySchemaElement) []ddbtypes.KeySchemaElement {
	var out []ddbtypes.KeySchemaElement
	for _, k := range keys {
		out = append(out, ddbtypes.KeySchemaElement{AttributeName: k.AttributeName, KeyType: ddbtypes.KeyType(aws.ToString(k.KeyType))})
	}
	return out
}

func sdkProjection(p *ddbv1.Projection) *ddbtypes.Projection {
	if p == nil {
		return nil
	}
	return &ddbtypes.Projection{NonKeyAttributes: aws.ToStringSlice(p.NonKeyAttributes),
		ProjectionType: ddbtypes.ProjectionType(aws.ToString(p.ProjectionType))}
}

// sdkThroughput: unset units are sent as 0, as the controller does.
func sdkThroughput(p *ddbv1.ProvisionedThroughput) *ddbtypes.ProvisionedThroughput {
	if p == nil {
		return nil
	}
	return &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(aws.ToInt64(p.ReadCapacityUnits)),
		WriteCapacityUnits: aws.Int64(aws.ToInt64(p.WriteCapacityUnits))}
}

func sdkStream(s *ddbv1.StreamSpecification) *ddbtypes.StreamSpecification {
	if s == nil {
		return nil
	}
	out := &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(aws.ToBool(s.StreamEnabled))}
	if aws.ToBool(s.StreamEnabled) {
		out.StreamViewType = ddbtypes.StreamViewType(aws.ToString(s.StreamViewType))
	}
	return out
}

// DynamoDB API -> spec and status. fromDescription is what the generated code copies from
// CreateTable's and DescribeTable's TableDescription; describedOnly adds what the read hook
// adds after DescribeTable (encryption, table class and billing mode, with their defaults).

func fromDescription(ko *ddbv1.Table, d *ddbtypes.TableDescription, describedOnly bool) {
	s, st := &ko.Spec, &ko.Status
	s.AttributeDefinitions = nil
	for _, a := range d.AttributeDefinitions {
		s.AttributeDefinitions = append(s.AttributeDefinitions, &ddbv1.AttributeDefinition{
			AttributeName: a.AttributeName, AttributeType: aws.String(string(a.AttributeType))})
	}
	s.DeletionProtectionEnabled = d.DeletionProtectionEnabled
	s.GlobalSecondaryIndexes = nil
	for _, g := range d.GlobalSecondaryIndexes {
		gsi := &ddbv1.GlobalSecondaryIndex{IndexName: g.IndexName, KeySchema: keySchema(g.KeySchema), Projection: projection(g.Projection)}
		if g.ProvisionedThroughput != nil {
			gsi.ProvisionedThroughput = &ddbv1.ProvisionedThroughput{
				ReadCapacityUnits: g.ProvisionedThroughput.ReadCapacityUnits, WriteCapacityUnits: g.ProvisionedThroughput.WriteCapacityUnits}
		}
		s.GlobalSecondaryIndexes = append(s.GlobalSecondaryIndexes, gsi)
	}
	s.KeySchema = keySchema(d.KeySchema)
	s.LocalSecondaryIndexes = nil
	for _, l := range d.LocalSecondaryIndexes {
		s.LocalSecondaryIndexes = append(s.LocalSecondaryIndexes, &ddbv1.LocalSecondaryIndex{
			IndexName: l.IndexName, KeySchema: keySchema(l.KeySchema), Projection: projection(l.Projection)})
	}
	s.ProvisionedThroughput = nil
	if p := d.ProvisionedThroughput; p != nil {
		s.ProvisionedThroughput = &ddbv1.ProvisionedThroughput{ReadCapacityUnits: p.ReadCapacityUnits, WriteCapacityUnits: p.WriteCapacityUnits}
	}
	s.StreamSpecification = nil
	if ss := d.StreamSpecification; ss != nil {
		s.StreamSpecification = &ddbv1.StreamSpecification{StreamEnabled: ss.StreamEnabled}
		if ss.StreamViewType != "" {
			s.StreamSpecification.StreamViewType = aws.String(string(ss.StreamViewType))
		}
	}
	s.TableName = d.TableName
	st.CreationDateTime = nil
	if d.CreationDateTime != nil {
		st.CreationDateTime = &metav1.Time{Time: *d.CreationDateTime}
	}
	st.ItemCount, st.TableSizeBytes, st.TableID = d.ItemCount, d.TableSizeBytes, d.TableId
	st.LatestStreamARN, st.LatestStreamLabel = d.LatestStreamArn, d.LatestStreamLabel
	st.TableStatus = nil
	if d.TableStatus != "" {
		st.TableStatus = aws.String(string(d.TableStatus))
	}
	if d.TableArn != nil {
		ackkind.SetARN(ko, d.TableArn)
	}
	if describedOnly {
		describedFields(s, d)
	}
}

func describedFields(s *ddbv1.TableSpec, d *ddbtypes.TableDescription) {
	s.SSESpecification = nil
	if sse := d.SSEDescription; sse != nil {
		s.SSESpecification = &ddbv1.SSESpecification{Enabled: aws.Bool(sse.Status == ddbtypes.SSEStatusEnabled),
			KMSMasterKeyID: sse.KMSMasterKeyArn}
		if sse.SSEType != "" {
			s.SSESpecification.SSEType = aws.String(string(sse.SSEType))
		}
	}
	s.TableClass = aws.String("STANDARD")
	if d.TableClassSummary != nil {
		s.TableClass = aws.String(string(d.TableClassSummary.TableClass))
	}
	s.BillingMode = aws.String("PROVISIONED")
	if d.BillingModeSummary != nil && d.BillingModeSummary.BillingMode != "" {
		s.BillingMode = aws.String(string(d.BillingModeSummary.BillingMode))
	}
}

func keySchema(keys []ddbtypes.KeySchemaElement) []*ddbv1.KeySchemaElement {
	var out []*ddbv1.KeySchemaElement
	for _, k := range keys {
		out = append(out, &ddbv1.KeySchemaElement{AttributeName: k.AttributeName, KeyType: aws.String(string(k.KeyType))})
	}
	return out
}

func projection(p *ddbtypes.Projection) *ddbv1.Projection {
	if p == nil {
		return nil
	}
	out := &ddbv1.Projection{NonKeyAttributes: aws.StringSlice(p.NonKeyAttributes)}
	if p.ProjectionType != "" {
		out.ProjectionType = aws.String(string(p.ProjectionType))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
