package ai.seamstream.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.TopicSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders both overlays, parses every resource with the fabric8 / Strimzi models and checks them against the topic
 * catalog and the services' own configuration: ports, probes, configuration keys, topics, scaling, GPUs.
 */
class ManifestsTest {
    private static final List<String> OVERLAYS = List.of("cpu", "gpu");
    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    /** The trainer's leadership topic: the one KafkaTopic that is not a catalog topic. */
    private static final String LEADER_TOPIC = "seam.trainer.leader.v1";
    private static final String GPU = "nvidia.com/gpu";
    private static final Map<String, Manifests> RENDERED = new LinkedHashMap<>();

    private static synchronized Manifests rendered(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Manifests::render);
    }

    static List<Arguments> overlayAndService() {
        var out = new ArrayList<Arguments>();
        for (String o : OVERLAYS) {
            for (String s : ServiceModule.SERVICES) {
                out.add(Arguments.of(o, s));
            }
        }
        return out;
    }

    /** {@code seam-kafka-kafka-bootstrap:9092}: Strimzi's bootstrap Service of the plain internal listener. */
    private static String bootstrap(Manifests m) {
        List<Kafka> kafkas = m.all(Kafka.class);
        assertEquals(1, kafkas.size(), "one Kafka cluster");
        Kafka k = kafkas.get(0);
        GenericKafkaListener plain = k.getSpec().getKafka().getListeners().stream()
                .filter(l -> !l.isTls() && "internal".equals(l.getType().toValue())).findFirst()
                .orElseThrow(() -> new AssertionError("the Kafka cluster has no plain internal listener"));
        return k.getMetadata().getName() + "-kafka-bootstrap:" + plain.getPort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void kafkaIsKraftWithNodePoolsAndTakesTheCatalogsLargestRecord(String overlay) {
        Manifests m = rendered(overlay);
        Kafka kafka = m.all(Kafka.class).get(0);
        String cluster = kafka.getMetadata().getName();
        Map<String, Object> config = kafka.getSpec().getKafka().getConfig();
        for (String key : List.of("message.max.bytes", "replica.fetch.max.bytes")) {
            long v = Long.parseLong(String.valueOf(config.get(key)));
            assertTrue(v >= CATALOG.maxMessageBytes(), key + " " + v + " is below the catalog's largest record "
                    + CATALOG.maxMessageBytes());
        }
        assertEquals("false", String.valueOf(config.get("auto.create.topics.enable")),
                "topics come from KafkaTopic resources only");
        List<KafkaNodePool> pools = m.all(KafkaNodePool.class);
        assertFalse(pools.isEmpty(), "KRaft needs node pools");
        int brokers = 0;
        boolean controllers = false;
        for (KafkaNodePool p : pools) {
            assertEquals(cluster, p.getMetadata().getLabels().get("strimzi.io/cluster"), "pool " + p.getMetadata().getName());
            if (p.getSpec().getRoles().contains(ProcessRoles.BROKER)) {
                brokers += p.getSpec().getReplicas();
            }
            controllers |= p.getSpec().getRoles().contains(ProcessRoles.CONTROLLER);
        }
        assertTrue(controllers, "a KRaft controller pool");
        for (KafkaTopic t : m.all(KafkaTopic.class)) {
            assertEquals(cluster, t.getMetadata().getLabels().get("strimzi.io/cluster"), t.getMetadata().getName());
            assertTrue(t.getSpec().getReplicas() <= brokers, t.getMetadata().getName() + ": more replicas than brokers");
        }
        Number rf = (Number) config.get("offsets.topic.replication.factor");
        assertTrue(rf.intValue() <= brokers, "offsets topic replication factor above the broker count");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyCatalogTopicHasItsKafkaTopicWithTheCatalogsSettings(String overlay) {
        Manifests m = rendered(overlay);
        var byName = new LinkedHashMap<String, KafkaTopic>();
        for (KafkaTopic t : m.all(KafkaTopic.class)) {
            String name = t.getSpec().getTopicName() != null ? t.getSpec().getTopicName() : t.getMetadata().getName();
            assertEquals(null, byName.put(name, t), "two KafkaTopics for " + name);
        }
        for (TopicSpec spec : CATALOG.all()) {
            KafkaTopic t = byName.remove(spec.name());
            assertNotNull(t, "no KafkaTopic for the catalog's " + spec.name());
            assertEquals(spec.partitions(), t.getSpec().getPartitions(), spec.name() + " partitions");
            for (Map.Entry<String, String> c : spec.configs().entrySet()) {
                assertEquals(c.getValue(), String.valueOf(t.getSpec().getConfig().get(c.getKey())),
                        spec.name() + " " + c.getKey());
            }
        }
        assertEquals(Set.of(LEADER_TOPIC), byName.keySet(), "KafkaTopics that are neither catalog topics nor the"
                + " trainer's leadership topic");
        assertEquals(1, byName.get(LEADER_TOPIC).getSpec().getPartitions(), "the leadership topic has one partition");
    }

    /** Checks that need only the manifests: wiring between Deployment, Service, ConfigMap, volumes and Kafka. */
    @ParameterizedTest
    @MethodSource("overlayAndService")
    void serviceIsWiredConsistently(String overlay, String service) {
        Manifests m = rendered(overlay);
        Deployment d = m.get(Deployment.class, "seam-" + service);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = container(d, service);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()),
                "the Deployment's selector matches its pods");

        ContainerPort http = c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(service + ": no container port named http"));
        for (Probe p : new Probe[] {c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe()}) {
            assertNotNull(p, service + ": liveness, readiness and startup probes");
            assertEquals(http.getContainerPort(), port(c, p.getHttpGet().getPort()), service + ": probe port");
        }
        for (String r : List.of("cpu", "memory")) {
            assertNotNull(c.getResources().getRequests().get(r), service + ": request " + r);
            assertNotNull(c.getResources().getLimits().get(r), service + ": limit " + r);
            assertTrue(Quantity.getAmountInBytes(c.getResources().getRequests().get(r))
                    .compareTo(Quantity.getAmountInBytes(c.getResources().getLimits().get(r))) <= 0,
                    service + ": request " + r + " above its limit");
        }

        Service svc = m.get(Service.class, "seam-" + service);
        assertTrue(podLabels.entrySet().containsAll(svc.getSpec().getSelector().entrySet()),
                service + ": the Service selects the Deployment's pods");
        ServicePort sp = svc.getSpec().getPorts().get(0);
        assertEquals(http.getContainerPort(), port(c, sp.getTargetPort()), service + ": Service target port");

        Map<String, String> env = environment(m, c);
        assertEquals(bootstrap(m), env.get("SEAM_KAFKA_BOOTSTRAP_SERVERS"),
                service + ": bootstrap servers are the Strimzi bootstrap Service");

        Set<String> volumes = new HashSet<>();
        for (Volume v : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
            volumes.add(v.getName());
            if (v.getPersistentVolumeClaim() != null) {
                m.get(PersistentVolumeClaim.class, v.getPersistentVolumeClaim().getClaimName());
            }
        }
        for (VolumeMount vm : c.getVolumeMounts()) {
            assertTrue(volumes.contains(vm.getName()), service + ": mount of an undeclared volume " + vm.getName());
        }
        Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals(String.valueOf(http.getContainerPort()), annotations.get("prometheus.io/port"),
                service + ": metrics port annotation");
    }

    /** Checks against the service module itself: its HTTP port, health paths and configuration keys. */
    @ParameterizedTest
    @MethodSource("overlayAndService")
    void portsProbesAndConfigurationKeysMatchTheService(String overlay, String service) {
        Optional<ServiceModule> module = ServiceModule.load(Manifests.repoRoot(), service);
        if (module.isEmpty()) {
            System.out.println("NOT CHECKED [" + overlay + "]: the " + service + " service module (" + service
                    + "/src/main/resources/application.properties) is not in this checkout, so the port, probe paths"
                    + " and configuration keys of seam-" + service + " are not checked against it");
        }
        Assumptions.assumeTrue(module.isPresent(), "the " + service + " service module is not in this checkout");
        ServiceModule s = module.get();
        assertTrue(s.extensions().contains("quarkus-smallrye-health"), service + " has no health endpoints");
        Manifests m = rendered(overlay);
        Deployment d = m.get(Deployment.class, "seam-" + service);
        Container c = container(d, service);
        ContainerPort http = c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow();
        assertEquals(s.httpPort(), http.getContainerPort(), service + ": quarkus.http.port");
        assertEquals(s.livenessPath(), c.getLivenessProbe().getHttpGet().getPath(), service + ": liveness path");
        assertEquals(s.livenessPath(), c.getStartupProbe().getHttpGet().getPath(), service + ": startup path");
        assertEquals(s.readinessPath(), c.getReadinessProbe().getHttpGet().getPath(), service + ": readiness path");
        if (s.extensions().contains("quarkus-micrometer-registry-prometheus")) {
            assertEquals(s.metricsPath(), d.getSpec().getTemplate().getMetadata().getAnnotations()
                    .get("prometheus.io/path"), service + ": metrics path");
        }
        Map<String, String> env = environment(m, c);
        var unread = new ArrayList<String>();
        for (String name : env.keySet()) {
            if ((name.startsWith("SEAM_") || name.startsWith("QUARKUS_") || configMapKeys(m, c).contains(name))
                    && s.keyOfEnv(name).isEmpty()) {
                unread.add(name);
            }
        }
        assertTrue(unread.isEmpty(), service + " reads no such keys: " + unread);
        System.out.println("[" + overlay + "] seam-" + service + ": port " + s.httpPort() + ", probes "
                + s.livenessPath() + " / " + s.readinessPath() + ", " + env.size() + " settings, all read by the service");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void trainerIsOneInstanceOnTheRegistryVolumeAndServesModelsOverItsService(String overlay) {
        Manifests m = rendered(overlay);
        Deployment d = m.get(Deployment.class, "seam-trainer");
        assertEquals(1, d.getSpec().getReplicas(), "one trainer");
        assertEquals("Recreate", d.getSpec().getStrategy().getType(), "never two trainers on one volume");
        Container c = container(d, "trainer");
        Map<String, String> env = environment(m, c);
        String registryDir = env.get("SEAM_TRAINER_REGISTRY_DIR");
        assertNotNull(registryDir, "the trainer's registry folder is set");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        String claimVolume = pod.getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                .map(Volume::getName).findFirst().orElseThrow(() -> new AssertionError("no registry volume"));
        VolumeMount mount = c.getVolumeMounts().stream().filter(v -> v.getName().equals(claimVolume)).findFirst()
                .orElseThrow(() -> new AssertionError("the registry volume is not mounted"));
        for (String key : List.of("SEAM_TRAINER_REGISTRY_DIR", "SEAM_TRAINER_STORE_DIR")) {
            assertTrue(Path.of(env.get(key)).startsWith(Path.of(mount.getMountPath())),
                    key + " " + env.get(key) + " is not on the registry volume " + mount.getMountPath());
        }
        URI advertised = URI.create(env.get("SEAM_TRAINER_ADVERTISED_URL"));
        Service svc = m.get(Service.class, advertised.getHost());
        assertEquals(svc.getSpec().getSelector(), Map.of("app.kubernetes.io/name", "seam-trainer"));
        assertEquals(advertised.getPort(), svc.getSpec().getPorts().get(0).getPort(),
                "the advertised URL's port is the trainer Service's");
        assertEquals(LEADER_TOPIC, env.get("SEAM_TRAINER_LEADER_TOPIC"), "the leadership topic has its KafkaTopic");
        ServiceModule.load(Manifests.repoRoot(), "trainer").ifPresent(s -> assertEquals(Optional.of(LEADER_TOPIC),
                s.effective("seam.trainer.leader.topic"), "the trainer's own leadership topic"));
        for (PodDisruptionBudget pdb : m.all(PodDisruptionBudget.class)) {
            assertFalse(d.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                    .containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()),
                    "a disruption budget on the single trainer would block node drains: " + pdb.getMetadata().getName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void labelerScalesOnItsConsumerGroupsLagOnTheLabelledTopic(String overlay) {
        Manifests m = rendered(overlay);
        GenericKubernetesResource so = m.generic("ScaledObject", "seam-labeler");
        assertEquals("keda.sh/v1alpha1", so.getApiVersion());
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) so.getAdditionalProperties().get("spec");
        assertEquals("seam-labeler", ((Map<?, ?>) spec.get("scaleTargetRef")).get("name"));
        m.get(Deployment.class, "seam-labeler");
        List<?> triggers = (List<?>) spec.get("triggers");
        assertEquals(1, triggers.size());
        Map<?, ?> t = (Map<?, ?>) triggers.get(0);
        assertEquals("kafka", t.get("type"));
        Map<?, ?> md = (Map<?, ?>) t.get("metadata");
        assertEquals(bootstrap(m), md.get("bootstrapServers"));
        Container c = container(m.get(Deployment.class, "seam-labeler"), "labeler");
        String group = environment(m, c).get("SEAM_LABELER_GROUP_ID");
        if (group == null) {
            group = ServiceModule.load(Manifests.repoRoot(), "labeler").flatMap(s -> s.effective("seam.labeler.group-id"))
                    .orElseThrow(() -> new AssertionError("the labeler's group id is neither set nor known"));
        }
        assertEquals(group, md.get("consumerGroup"), "KEDA watches the labeler's own consumer group");
        assertEquals(TopicCatalog.LABELLED, md.get("topic"), "the labeler consumes the labelled topic");
        int min = ((Number) spec.get("minReplicaCount")).intValue();
        int max = ((Number) spec.get("maxReplicaCount")).intValue();
        int partitions = CATALOG.get(TopicCatalog.LABELLED).partitions();
        assertTrue(1 <= min && min <= max && max <= partitions, "1 <= min " + min + " <= max " + max
                + " <= partitions " + partitions + " (more labelers than partitions would sit idle)");
        assertTrue(Long.parseLong(String.valueOf(md.get("lagThreshold"))) > 0, "a positive lag threshold");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void disruptionBudgetsSelectRunningDeploymentsAndLeaveOneToDrain(String overlay) {
        Manifests m = rendered(overlay);
        List<PodDisruptionBudget> pdbs = m.all(PodDisruptionBudget.class);
        assertFalse(pdbs.isEmpty());
        for (PodDisruptionBudget pdb : pdbs) {
            List<Deployment> selected = m.all(Deployment.class).stream().filter(d -> d.getSpec().getTemplate()
                    .getMetadata().getLabels().entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels()
                            .entrySet())).toList();
            assertEquals(1, selected.size(), pdb.getMetadata().getName() + " selects one Deployment's pods");
            IntOrString minAvailable = pdb.getSpec().getMinAvailable();
            if (minAvailable != null) {
                assertTrue(minAvailable.getIntVal() < selected.get(0).getSpec().getReplicas(),
                        pdb.getMetadata().getName() + ": minAvailable leaves no pod to evict");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void gpusGoToTheLabelerAndTrainerOnlyInTheGpuOverlay(String overlay) {
        Manifests m = rendered(overlay);
        boolean gpu = overlay.equals("gpu");
        for (Deployment d : m.all(Deployment.class)) {
            String name = d.getMetadata().getName();
            boolean wants = gpu && (name.equals("seam-labeler") || name.equals("seam-trainer"));
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            for (Container c : pod.getContainers()) {
                Quantity q = c.getResources().getLimits().get(GPU);
                assertEquals(wants ? "1" : null, q == null ? null : q.toString(), name + " limit " + GPU);
                assertEquals(wants, c.getImage().endsWith("-gpu"), name + ": image " + c.getImage());
                assertTrue(c.getImage().matches(".+/.+:.+"), name + ": the overlay sets registry and tag: " + c.getImage());
            }
            assertEquals(wants, pod.getNodeSelector() != null && !pod.getNodeSelector().isEmpty(),
                    name + ": node selector");
            assertEquals(wants, pod.getTolerations() != null && pod.getTolerations().stream()
                    .anyMatch(t -> GPU.equals(t.getKey())), name + ": GPU toleration");
        }
    }

    private static Container container(Deployment d, String name) {
        return d.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> name.equals(c.getName()))
                .findFirst().orElseThrow(() -> new AssertionError(d.getMetadata().getName() + ": no container " + name));
    }

    private static int port(Container c, IntOrString p) {
        if (p.getIntVal() != null) {
            return p.getIntVal();
        }
        return c.getPorts().stream().filter(x -> p.getStrVal().equals(x.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + p.getStrVal())).getContainerPort();
    }

    private static Set<String> configMapKeys(Manifests m, Container c) {
        var keys = new HashSet<String>();
        for (EnvFromSource s : c.getEnvFrom()) {
            keys.addAll(m.get(ConfigMap.class, s.getConfigMapRef().getName()).getData().keySet());
        }
        return keys;
    }

    /** The container's environment: its ConfigMaps' data, then its own env entries (which win, as in Kubernetes). */
    private static Map<String, String> environment(Manifests m, Container c) {
        var env = new LinkedHashMap<String, String>();
        for (EnvFromSource s : c.getEnvFrom()) {
            assertNotNull(s.getConfigMapRef(), "only ConfigMaps are used with envFrom");
            env.putAll(m.get(ConfigMap.class, s.getConfigMapRef().getName()).getData());
        }
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue() != null ? e.getValue() : "<from " + e.getValueFrom() + ">");
        }
        return env;
    }
}
