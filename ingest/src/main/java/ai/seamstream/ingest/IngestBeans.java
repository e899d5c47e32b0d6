package ai.seamstream.ingest;

import ai.seamstream.ingest.topology.ConsensusRule;
import ai.seamstream.ingest.topology.ImageCheck;
import ai.seamstream.ingest.topology.ImageLimits;
import ai.seamstream.ingest.topology.IngestConfig;
import ai.seamstream.ingest.topology.TagCheck;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.schemas.TopicCatalog;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Builds the plain objects of the service from its settings. */
@ApplicationScoped
public class IngestBeans {

    /** Parses {@code seam.ingest.classes}: {@code voc2012}, {@code file:PATH} or a comma list of foreground names. */
    static ClassVocabulary vocabulary(String spec) {
        try {
            return ClassVocabulary.parse(spec);
        } catch (IOException e) {
            throw new UncheckedIOException("seam.ingest.classes: cannot read " + spec.strip().substring(5), e);
        }
    }

    @Produces
    @Singleton
    IngestConfig ingestConfig(IngestSettings settings) {
        var in = settings.ingest();
        var limits = new ImageLimits(in.maxImageBytes(), in.maxPixels(), new HashSet<>(in.uriSchemes()));
        return IngestConfig.of(vocabulary(in.classes()), ConsensusRule.parse(in.consensus()), limits);
    }

    @Produces
    @Singleton
    ImageCheck imageCheck(IngestConfig cfg) {
        return new ImageCheck(cfg.limits());
    }

    @Produces
    @Singleton
    TagCheck tagCheck(IngestConfig cfg) {
        return new TagCheck(cfg.vocabulary());
    }

    @Produces
    @Singleton
    @DefaultBean
    Producer<String, byte[]> producer(IngestSettings settings) {
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicCatalog.defaults().maxMessageBytes());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.ingest().applicationId() + "-http");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    void closeProducer(@Disposes Producer<String, byte[]> producer) {
        producer.close();
    }
}
