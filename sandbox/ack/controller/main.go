// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

// ack-controller runs one ACK service controller of the sandbox on the real ACK runtime
// (github.com/aws-controllers-k8s/runtime): its flags, reconciler, conditions, finalizers,
// deletion policy, adoption, generation predicate, resync and requeue. Only the resource
// managers (internal/) are ours.
//
//	ack-controller <sqs|dynamodb|lambda> [the ACK controller flags...]
//
// The kubeconfig comes from $KUBECONFIG, as for the real controllers.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	ackcfg "github.com/aws-controllers-k8s/runtime/pkg/config"
	ackrt "github.com/aws-controllers-k8s/runtime/pkg/runtime"
	acktypes "github.com/aws-controllers-k8s/runtime/pkg/types"
	flag "github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrlrt "sigs.k8s.io/controller-runtime"
	ctrlrtcache "sigs.k8s.io/controller-runtime/pkg/cache"
	ctrlrthealthz "sigs.k8s.io/controller-runtime/pkg/healthz"
	ctrlrtmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

func main() {
	names := make([]string, 0, len(services))
	for name := range services {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: %s <%v> [flags]\n", os.Args[0], names)
		os.Exit(2)
	}
	alias := os.Args[1]
	svc, ok := services[alias]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown service %q: one of %v\n", alias, names)
		os.Exit(2)
	}
	os.Args = append(os.Args[:1], os.Args[2:]...)
	if err := run(alias, svc); err != nil {
		ctrlrt.Log.WithName("setup").Error(err, "controller failed", "aws.service", alias)
		os.Exit(1)
	}
}

func run(alias string, svc service) error {
	var cfg ackcfg.Config
	cfg.BindFlags()
	flag.Parse()
	cfg.SetupLogger()
	log := ctrlrt.Log.WithName("setup")

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, ackv1alpha1.AddToScheme, svc.addToScheme} {
		if err := add(scheme); err != nil {
			return err
		}
	}
	factories := svc.factories()
	gvks := make([]schema.GroupVersionKind, 0, len(factories))
	for _, f := range factories {
		gvks = append(gvks, f.ResourceDescriptor().GroupVersionKind())
	}
	// Validate also calls STS GetCallerIdentity and fails without it, like every ACK controller.
	if err := cfg.Validate(context.Background(), ackcfg.WithGVKs(gvks)); err != nil {
		return fmt.Errorf("unable to create controller manager: %w", err)
	}
	namespaces, err := cfg.GetWatchNamespaces()
	if err != nil {
		return err
	}
	watch := map[string]ctrlrtcache.Config{}
	for _, ns := range namespaces {
		watch[ns] = ctrlrtcache.Config{}
	}
	selectors, err := cfg.ParseWatchSelectors()
	if err != nil {
		return err
	}
	group := alias + ".services.k8s.aws"
	mgr, err := ctrlrt.NewManager(ctrlrt.GetConfigOrDie(), ctrlrt.Options{
		Scheme:                  scheme,
		Cache:                   ctrlrtcache.Options{Scheme: scheme, DefaultNamespaces: watch, DefaultLabelSelector: selectors},
		Metrics:                 metricsserver.Options{BindAddress: cfg.MetricsAddr},
		LeaderElection:          cfg.EnableLeaderElection,
		LeaderElectionID:        "ack-" + group,
		LeaderElectionNamespace: cfg.LeaderElectionNamespace,
		HealthProbeBindAddress:  cfg.HealthzAddr,
		LivenessEndpointName:    "/healthz",
		ReadinessEndpointName:   "/readyz",
	})
	if err != nil {
		return fmt.Errorf("unable to create controller manager: %w", err)
	}
	log.Info("initializing service controller", "aws.service", alias, "version", svc.version)
	sc := ackrt.NewServiceController(alias, group, acktypes.VersionInfo{GitCommit: "ackops-sandbox", GitVersion: svc.version,
		BuildDate: "ackops-sandbox"}).
		WithLogger(ctrlrt.Log).
		WithResourceManagerFactories(factories).
		WithPrometheusRegistry(ctrlrtmetrics.Registry)
	if err := sc.BindControllerManager(mgr, cfg); err != nil {
		return fmt.Errorf("unable to bind the controller manager to the service controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("health", ctrlrthealthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("check", ctrlrthealthz.Ping); err != nil {
		return err
	}
	log.Info("starting manager", "aws.service", alias)
	return mgr.Start(ctrlrt.SetupSignalHandler())
}
