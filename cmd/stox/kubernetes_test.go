package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/topology"
)

// k8sObjects is the rendered overlay, decoded: the built-in kinds into k8s.io/api
// types, the operators' custom resources as plain maps.
type k8sObjects struct {
	deployments map[string]appsv1.Deployment
	services    map[string]corev1.Service
	configMaps  map[string]corev1.ConfigMap
	secrets     map[string]corev1.Secret
	custom      map[string]map[string]any // "Kind/name"
}

// customKinds are the operators' resources the manifests use (RabbitMQ cluster
// operator, KEDA); the tests below check the fields Stox relies on.
var customKinds = map[string]string{
	"RabbitmqCluster":       "rabbitmq.com/v1beta1",
	"ScaledObject":          "keda.sh/v1alpha1",
	"TriggerAuthentication": "keda.sh/v1alpha1",
}

// renderKubernetes builds deploy/kubernetes/overlays/small as `kubectl apply -k`
// would, in memory, with each secrets/*.example standing in for the file a user writes.
func renderKubernetes(t *testing.T) k8sObjects {
	t.Helper()
	mem := filesys.MakeFsInMemory()
	root := filepath.Join("..", "..", "deploy", "kubernetes")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = strings.TrimSuffix(rel, ".example")
		return mem.WriteFile(filepath.Join("/k", rel), b)
	})
	require.NoError(t, err)
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, "/k/overlays/small")
	require.NoError(t, err, "kustomize build deploy/kubernetes/overlays/small")

	objs := k8sObjects{map[string]appsv1.Deployment{}, map[string]corev1.Service{},
		map[string]corev1.ConfigMap{}, map[string]corev1.Secret{}, map[string]map[string]any{}}
	for _, r := range rm.Resources() {
		b, err := r.MarshalJSON()
		require.NoError(t, err)
		kind, api, name := r.GetKind(), r.GetApiVersion(), r.GetName()
		what := kind + "/" + name
		switch {
		case api == "apps/v1" && kind == "Deployment":
			objs.deployments[name] = decodeStrict[appsv1.Deployment](t, b, what)
		case api == "v1" && kind == "Service":
			objs.services[name] = decodeStrict[corev1.Service](t, b, what)
		case api == "v1" && kind == "ConfigMap":
			objs.configMaps[name] = decodeStrict[corev1.ConfigMap](t, b, what)
		case api == "v1" && kind == "Secret":
			objs.secrets[name] = decodeStrict[corev1.Secret](t, b, what)
		case api == "v1" && kind == "Namespace":
			decodeStrict[corev1.Namespace](t, b, what)
		case customKinds[kind] == api:
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			objs.custom[what] = m
		default:
			t.Errorf("%s %s: a kind this test does not check", api, what)
		}
	}
	return objs
}

// decodeStrict decodes b into a T, refusing fields T does not have: a misspelt or
// misplaced field would otherwise be dropped silently by the API server.
func decodeStrict[T any](t *testing.T, b []byte, what string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&v), what)
	return v
}

// stoxContainer is a Deployment's one container, checked to be alone.
func stoxContainer(t *testing.T, d appsv1.Deployment) corev1.Container {
	t.Helper()
	require.Len(t, d.Spec.Template.Spec.Containers, 1, d.Name)
	return d.Spec.Template.Spec.Containers[0]
}

// environment is what a container's process sees: every envFrom source's keys and
// every env entry, with values (secret ones decoded). A reference to a ConfigMap or
// Secret (or a key) the render does not hold fails the test.
func (o k8sObjects) environment(t *testing.T, c corev1.Container) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, ok := o.configMaps[from.ConfigMapRef.Name]
			require.True(t, ok, "ConfigMap %s is not in the render", from.ConfigMapRef.Name)
			maps.Copy(out, cm.Data)
		case from.SecretRef != nil:
			s, ok := o.secrets[from.SecretRef.Name]
			require.True(t, ok, "Secret %s is not in the render", from.SecretRef.Name)
			for k, v := range s.Data {
				out[k] = string(v)
			}
		}
	}
	for _, e := range c.Env {
		require.Nil(t, e.ValueFrom, "%s: the manifests pass values from ConfigMaps and Secrets with envFrom", e.Name)
		out[e.Name] = e.Value
	}
	return out
}

// TestKubernetesEnvironment: every container's environment is the one docker-compose.yml
// gives the same service (so each Secret reaches only the services compose passes it
// to, which TestComposeSecretsPerService checks), plus the S3 blob store in place of
// compose's shared volume; every name is a variable `stox env` lists; and the whole is
// a configuration the service's command accepts.
func TestKubernetesEnvironment(t *testing.T) {
	objs := renderKubernetes(t)
	svcs := readCompose(t)
	defaults := configDefaults()
	// Not Stox's variables, but read by the Go runtime and the S3 client (STOX_BLOB_URL's
	// description names them).
	external := []string{"GOMEMLIMIT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
	blobStore := []string{"STOX_BLOB_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}

	for _, name := range append(slices.Clone(services), "sandbox") {
		t.Run(name, func(t *testing.T) {
			d, ok := objs.deployments[name]
			require.True(t, ok, "no Deployment %s", name)
			c := stoxContainer(t, d)
			env := objs.environment(t, c)
			for k := range env {
				_, known := defaults[k]
				assert.True(t, known || slices.Contains(external, k), "%s: %s is no variable stox env lists", name, k)
			}
			want := slices.Collect(maps.Keys(svcs[name].Environment))
			if name != "sandbox" {
				want = append(want, blobStore...)
				assert.Equal(t, []string{"serve", name}, c.Args)
			}
			var missing, extra []string
			for _, k := range want {
				if _, ok := env[k]; !ok {
					missing = append(missing, k)
				}
			}
			for k := range env {
				if !slices.Contains(want, k) {
					extra = append(extra, k)
				}
			}
			assert.Empty(t, missing, "%s: compose gives these, Kubernetes does not", name)
			assert.Empty(t, extra, "%s: Kubernetes gives these, compose does not", name)
			assert.Equal(t, svcs[name].Environment["GOMEMLIMIT"], env["GOMEMLIMIT"], "%s: GOMEMLIMIT", name)

			clearStoxEnv(t)
			for k, v := range env {
				t.Setenv(k, v)
			}
			_, err := loadConfig()
			require.NoError(t, err, "%s: the rendered environment", name)
		})
	}
}

// clearStoxEnv unsets every STOX_ variable for the rest of the test.
func clearStoxEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "STOX_") {
			t.Setenv(k, "")
			require.NoError(t, os.Unsetenv(k))
		}
	}
}

// TestKubernetesProbes: every probe asks a path the service serves, without
// credentials (kubelet sends none), on a port of the container that is the one its
// server listens on (STOX_ADMIN_ADDR; the sandbox's STOX_SANDBOX_ADDR); every
// Service's target port is a port of the containers it selects.
func TestKubernetesProbes(t *testing.T) {
	objs := renderKubernetes(t)
	for name, d := range objs.deployments {
		c := stoxContainer(t, d)
		env := objs.environment(t, c)
		listen := env["STOX_ADMIN_ADDR"]
		serve := adminHandler(t)
		if name == "sandbox" {
			listen = env["STOX_SANDBOX_ADDR"]
			serve = sandbox.New(sandbox.Options{HookKey: "k"})
		}
		_, port, err := net.SplitHostPort(listen)
		require.NoError(t, err, "%s: listen address %q", name, listen)
		probes := map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe}
		require.NotNil(t, c.LivenessProbe, name)
		require.NotNil(t, c.ReadinessProbe, name)
		for kind, p := range probes {
			if p == nil {
				continue
			}
			require.NotNil(t, p.HTTPGet, "%s %s probe", name, kind)
			assert.Equal(t, port, fmt.Sprint(containerPort(t, c, p.HTTPGet.Port)), "%s %s probe's port", name, kind)
			rec := httptest.NewRecorder()
			serve.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.HTTPGet.Path, nil))
			assert.Equal(t, http.StatusOK, rec.Code, "%s %s probe: GET %s", name, kind, p.HTTPGet.Path)
		}
		if name != "sandbox" {
			assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path, "%s: readiness is /readyz, which knows the broker", name)
		}
	}
	for name, s := range objs.services {
		var selected []appsv1.Deployment
		for _, d := range objs.deployments {
			if labelsMatch(s.Spec.Selector, d.Spec.Template.Labels) {
				selected = append(selected, d)
			}
		}
		require.Len(t, selected, 1, "Service %s selects one Deployment's pods", name)
		for _, p := range s.Spec.Ports {
			containerPort(t, stoxContainer(t, selected[0]), p.TargetPort)
		}
	}
}

// adminHandler is a Stox service's admin server, with an admin key set, as a probe
// meets it: no router, so ready.
func adminHandler(t *testing.T) http.Handler {
	a := &app{cfg: Config{Common: Common{AdminKey: "secret"}}, metrics: prometheus.NewRegistry()}
	return a.adminServer(nil).Handler
}

// containerPort is the container's port p names (by name or number); none fails.
func containerPort(t *testing.T, c corev1.Container, p intstr.IntOrString) int32 {
	t.Helper()
	for _, cp := range c.Ports {
		if (p.Type == intstr.String && cp.Name == p.StrVal) || (p.Type == intstr.Int && cp.ContainerPort == p.IntVal) {
			return cp.ContainerPort
		}
	}
	t.Errorf("port %s is none of container %s's", p.String(), c.Name)
	return 0
}

func labelsMatch(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return len(selector) > 0
}

// TestKubernetesPods: every pod runs as the image's non-root user, with a read-only
// root, no privilege escalation and no capabilities, within docker-compose.yml's
// limits for the same service.
func TestKubernetesPods(t *testing.T) {
	objs := renderKubernetes(t)
	limits := composeLimits(t)
	for name, d := range objs.deployments {
		pod := d.Spec.Template.Spec
		c := stoxContainer(t, d)
		sc := c.SecurityContext
		require.NotNil(t, sc, name)
		nonRoot := (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) ||
			(pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot)
		assert.True(t, nonRoot, "%s: runAsNonRoot", name)
		assert.True(t, sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem, "%s: readOnlyRootFilesystem", name)
		assert.True(t, sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation, "%s: allowPrivilegeEscalation", name)
		require.NotNil(t, sc.Capabilities, name)
		assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, "%s: capabilities dropped", name)

		want, ok := limits[name]
		require.True(t, ok, "no compose service %s", name)
		for res, q := range want {
			got := c.Resources.Limits[res]
			assert.Zero(t, q.Cmp(got), "%s: %s limit %s, compose's %s", name, res, got.String(), q.String())
			req := c.Resources.Requests[res]
			assert.True(t, !req.IsZero() && req.Cmp(got) <= 0, "%s: %s request %s, within the limit", name, res, req.String())
		}
		if name != "sandbox" {
			// Whatever a service writes goes under STOX_DATA_DIR: it must be a volume.
			env := objs.environment(t, c)
			assert.True(t, slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
				return m.MountPath == env["STOX_DATA_DIR"]
			}), "%s: STOX_DATA_DIR %s is no volume", name, env["STOX_DATA_DIR"])
		}
	}
}

// composeLimits reads each docker-compose.yml service's deploy.resources.limits, its
// anchors merged, as Kubernetes quantities (compose's M and G are binary).
func composeLimits(t *testing.T) map[string]corev1.ResourceList {
	b, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var doc struct {
		Services map[string]struct {
			Deploy struct {
				Resources struct {
					Limits struct{ CPUs, Memory string }
				}
			}
		}
	}
	require.NoError(t, yaml.Unmarshal(b, &doc))
	out := map[string]corev1.ResourceList{}
	for name, s := range doc.Services {
		l := s.Deploy.Resources.Limits
		if l.CPUs == "" || l.Memory == "" {
			continue
		}
		mem := strings.NewReplacer("M", "Mi", "G", "Gi").Replace(l.Memory)
		out[name] = corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse(l.CPUs),
			corev1.ResourceMemory: resource.MustParse(mem),
		}
	}
	return out
}

// TestKubernetesRabbitMQ: a three-node cluster importing at boot the quorum topology
// the services expect (same prefix, quorum on), from a ConfigMap that has not
// drifted from `stox topology`, and the services' user from a Secret.
func TestKubernetesRabbitMQ(t *testing.T) {
	objs := renderKubernetes(t)
	rmq, ok := objs.custom["RabbitmqCluster/rabbitmq"]
	require.True(t, ok, "no RabbitmqCluster rabbitmq")
	assert.EqualValues(t, 3, dig(t, rmq, "spec", "replicas"), "replicas")

	conf := dig(t, rmq, "spec", "rabbitmq", "additionalConfig").(string)
	assert.Contains(t, conf, "definitions.import_backend = local_filesystem")
	_, dir, ok := strings.Cut(conf, "definitions.local.path = ")
	require.True(t, ok, "definitions.local.path")
	dir, _, _ = strings.Cut(dir, "\n")

	// The operator merges this into its StatefulSet's pod: a PodSpec, checked as one.
	raw, err := json.Marshal(dig(t, rmq, "spec", "override", "statefulSet", "spec", "template", "spec"))
	require.NoError(t, err)
	pod := decodeStrict[corev1.PodSpec](t, raw, "RabbitmqCluster's pod override")
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}

	cfg := objs.configMaps[stoxConfigMap(t, objs)].Data
	want, err := topology.New(cfg["STOX_PREFIX"], cfg["STOX_AMQP_QUORUM"] == "true", messages.Marketplaces).Definitions()
	require.NoError(t, err)
	assert.Equal(t, "true", cfg["STOX_AMQP_QUORUM"], "a three-node cluster runs quorum queues")

	var files []string
	sources := map[string]bool{}
	for _, c := range pod.Containers {
		for _, m := range c.VolumeMounts {
			file, ok := strings.CutPrefix(m.MountPath, dir+"/")
			if !ok {
				continue
			}
			require.NotEmpty(t, m.SubPath, "%s: mount one file, not a volume with its ..data", m.MountPath)
			files = append(files, file)
			v, ok := volumes[m.Name]
			require.True(t, ok, "no volume %s", m.Name)
			switch {
			case v.ConfigMap != nil:
				sources["topology"] = true
				data := objs.sourceData(t, "configMap", v.ConfigMap.Name, m.SubPath)
				assert.Equal(t, string(want), data, "%s is stale: run make definitions", v.ConfigMap.Name)
			case v.Secret != nil:
				sources["user"] = true
				data := objs.sourceData(t, "secret", v.Secret.SecretName, m.SubPath)
				assert.Contains(t, data, `"users"`, "Secret %s's %s", v.Secret.SecretName, m.SubPath)
			default:
				t.Errorf("volume %s is neither a ConfigMap nor a Secret", m.Name)
			}
		}
	}
	assert.Equal(t, map[string]bool{"topology": true, "user": true}, sources, "imported at boot")
	assert.True(t, slices.IsSorted(files), "the topology (with the vhost) is imported before the user's permissions: %v", files)
}

// sourceData is key's value in the ConfigMap or Secret named; missing fails.
func (o k8sObjects) sourceData(t *testing.T, kind, name, key string) string {
	t.Helper()
	switch kind {
	case "configMap":
		cm, ok := o.configMaps[name]
		require.True(t, ok, "ConfigMap %s is not in the render", name)
		v, ok := cm.Data[key]
		require.True(t, ok, "ConfigMap %s has no %s", name, key)
		return v
	case "secret":
		s, ok := o.secrets[name]
		require.True(t, ok, "Secret %s is not in the render", name)
		v, ok := s.Data[key]
		require.True(t, ok, "Secret %s has no %s", name, key)
		return string(v)
	}
	t.Fatalf("projected source %s", kind)
	return ""
}

// stoxConfigMap is the name (with its hash) of the ConfigMap every Stox service reads.
func stoxConfigMap(t *testing.T, o k8sObjects) string {
	for _, from := range stoxContainer(t, o.deployments["image"]).EnvFrom {
		if from.ConfigMapRef != nil {
			return from.ConfigMapRef.Name
		}
	}
	t.Fatal("the image service reads no ConfigMap")
	return ""
}

// TestKubernetesAutoscaling: KEDA scales the ai Deployment on ai_processing's depth,
// logging in to the broker with the URL the services use.
func TestKubernetesAutoscaling(t *testing.T) {
	objs := renderKubernetes(t)
	so, ok := objs.custom["ScaledObject/ai"]
	require.True(t, ok, "no ScaledObject ai")
	target := dig(t, so, "spec", "scaleTargetRef", "name").(string)
	d, ok := objs.deployments[target]
	require.True(t, ok, "ScaledObject scales %s, no Deployment", target)
	assert.Equal(t, []string{"serve", "ai"}, stoxContainer(t, d).Args)
	assert.Greater(t, dig(t, so, "spec", "maxReplicaCount"), dig(t, so, "spec", "minReplicaCount"))

	triggers := dig(t, so, "spec", "triggers").([]any)
	require.Len(t, triggers, 1)
	tr := triggers[0].(map[string]any)
	assert.Equal(t, "rabbitmq", tr["type"])
	cfg := objs.configMaps[stoxConfigMap(t, objs)].Data
	queue := topology.QueueAIProcessing
	if cfg["STOX_PREFIX"] != "" {
		queue = cfg["STOX_PREFIX"] + "." + queue
	}
	assert.Equal(t, queue, dig(t, tr, "metadata", "queueName"))
	assert.Equal(t, "QueueLength", dig(t, tr, "metadata", "mode"))

	authName := dig(t, tr, "authenticationRef", "name").(string)
	auth, ok := objs.custom["TriggerAuthentication/"+authName]
	require.True(t, ok, "no TriggerAuthentication %s", authName)
	refs := dig(t, auth, "spec", "secretTargetRef").([]any)
	require.Len(t, refs, 1)
	ref := refs[0].(map[string]any)
	assert.Equal(t, "host", ref["parameter"])
	url := objs.sourceData(t, "secret", ref["name"].(string), ref["key"].(string))
	assert.Equal(t, objs.environment(t, stoxContainer(t, d))["STOX_AMQP_URL"], url, "KEDA asks the broker the ai service uses")
}

// dig is m's value at path; a missing step fails.
func dig(t *testing.T, m map[string]any, path ...string) any {
	t.Helper()
	var v any = m
	for i, p := range path {
		mm, ok := v.(map[string]any)
		require.True(t, ok, "%s is no object", strings.Join(path[:i], "."))
		v, ok = mm[p]
		require.True(t, ok, "no %s", strings.Join(path[:i+1], "."))
	}
	return v
}
