// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package table

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	ddbv1 "ackops.local/sandbox/ack-controller/apis/dynamodb/v1alpha1"
)

func customer() *ddbv1.Table {
	return &ddbv1.Table{Spec: ddbv1.TableSpec{TableName: aws.String("customer"), BillingMode: aws.String("PAY_PER_REQUEST"),
		KeySchema:            []*ddbv1.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: aws.String("HASH")}},
		AttributeDefinitions: []*ddbv1.AttributeDefinition{{AttributeName: aws.String("email"), AttributeType: aws.String("S")}},
		Tags:                 []*ddbv1.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}}
}

// What DescribeTable reads back for the table above: defaults filled in, tags in another order.
func described() *ddbv1.Table {
	t := customer()
	t.Spec.TableClass, t.Spec.DeletionProtectionEnabled = aws.String("STANDARD"), aws.Bool(false)
	t.Spec.ProvisionedThroughput = &ddbv1.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(0), WriteCapacityUnits: aws.Int64(0)}
	t.Spec.Tags = []*ddbv1.Tag{t.Spec.Tags[1], t.Spec.Tags[0]}
	t.Spec.TimeToLive = &ddbv1.TimeToLiveSpecification{Enabled: aws.Bool(false)}
	t.Spec.ContinuousBackups = &ddbv1.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)}
	return t
}

func TestNoDifferenceWhenAWSFilledTheDefaults(t *testing.T) {
	if d := delta(customer(), described()); len(d.Differences) != 0 {
		t.Fatalf("differences %v", d.Differences)
	}
}

func TestDifferences(t *testing.T) {
	b := described()
	b.Spec.BillingMode = aws.String("PROVISIONED")
	b.Spec.Tags = b.Spec.Tags[:1]
	d := delta(customer(), b)
	if !d.DifferentAt("Spec.BillingMode") || !d.DifferentAt("Spec.Tags") {
		t.Fatalf("differences %v", d.Differences)
	}
	b = described()
	b.Spec.KeySchema[0].AttributeName = aws.String("name")
	if d := delta(customer(), b); !d.DifferentAt("Spec.KeySchema") {
		t.Fatal("key schema change not seen")
	}
}

func TestSyncedWhenActiveOrArchived(t *testing.T) {
	for status, want := range map[string]bool{"ACTIVE": true, "ARCHIVED": true, "CREATING": false, "UPDATING": false} {
		tbl := customer()
		tbl.Status.TableStatus = aws.String(status)
		if Kind.Synced(tbl) != want {
			t.Errorf("%s: synced %v", status, !want)
		}
	}
}
