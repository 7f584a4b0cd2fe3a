package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.core.transport.NativeTransport;
import io.trafficmirror.filter.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;

import static io.trafficmirror.core.engine.EngineFixtures.PEER_IP;
import static io.trafficmirror.core.engine.EngineFixtures.SESSION;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE;
import static io.trafficmirror.core.engine.EngineFixtures.SOURCE_IP;
import static io.trafficmirror.core.engine.EngineFixtures.TARGET;
import static io.trafficmirror.core.engine.EngineFixtures.configuration;
import static io.trafficmirror.core.engine.EngineFixtures.gettingStartedFilter;
import static io.trafficmirror.core.engine.EngineFixtures.session;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Netty's epoll transport is optional. Where it is missing (the build runs this module's engine tests a second time
 * with every Netty jar left off the class path), {@code AUTO} sends through the JDK, and asking for {@code NATIVE}
 * is a configuration error naming the artifact to add. Where Netty is present this test has nothing to check.
 */
class WithoutNativeTransportTest
{
    @Test
    @Timeout(30)
    void shouldSendThroughTheJdkAndNameTheArtifactForNative() throws Exception
    {
        assumeFalse(NativeTransport.isAvailable(), "Netty's epoll transport is on this class path; the build's " +
            "run without it checks this");
        assertThat(NativeTransport.unavailabilityReason()).isEqualTo(NativeTransport.ARTIFACT + " is not on the class path");

        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 77).build(), 9001).build();
        try (UdpSink sink = new UdpSink(true))
        {
            assertThatThrownBy(() -> MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).transport(DatagramTransport.NATIVE).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("transport")
                .hasMessageContaining("NATIVE")
                .hasMessageContaining("io.netty:netty-transport-native-epoll");

            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(TARGET, TargetBinding.udp(sink.address())).senderThreads(2).build();
            assertThat(engine.transport()).isEqualTo(DatagramTransport.JDK);
            engine.start();
            final SourceHandle source = engine.source(SOURCE);
            final byte[] frame = ipv4(17, PEER_IP, SOURCE_IP, 1234, 5678, 300);
            for (int i = 0; i < 100; i++)
            {
                assertThat(source.inbound(ByteBuffer.wrap(frame))).isEqualTo(OfferResult.QUEUED);
            }
            assertThat(engine.close(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.await(100, Duration.ofSeconds(10))).hasSize(100)
                .allSatisfy(copy -> assertThat(copy.inner).isEqualTo(frame));
        }
    }
}
