package io.trafficmirror.core.engine;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.vxlan.ResultCode;
import io.trafficmirror.vxlan.VxlanFrameDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PcapTargetTest
{
    @Test
    void shouldWriteVxlanPacketsThatDecodeAndThatTsharkReadsWithoutComplaint(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("mirror.pcap");
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 4242).build(), 9001).build();
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.pcap(file, InetAddress.getByName("10.0.9.9"))).build();
        engine.start();
        final List<byte[]> frames = List.of(
            ipv4(17, PEER_IP, SOURCE_IP, 31000, 32000, 300),
            ipv4(6, SOURCE_IP, PEER_IP, 443, 40000, 80),
            ipv4(17, SOURCE_IP, PEER_IP, 31000, 32000, 1500));
        for (final byte[] frame : frames)
        {
            assertThat(engine.source(SOURCE).offer(ByteBuffer.wrap(frame))).isEqualTo(OfferResult.QUEUED);
        }
        assertThat(engine.close(Duration.ofSeconds(5))).isTrue();

        final List<byte[]> inner = new ArrayList<>();
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
        try (CaptureReader reader = CaptureReader.open(file))
        {
            while (reader.next())
            {
                final ByteBuffer packet = reader.frame();
                assertThat(decoder.decodeFrame(packet, packet.position(), packet.remaining())).isEqualTo(ResultCode.OK);
                assertThat(decoder.vni()).isEqualTo(4242);
                assertThat(decoder.sourceIpv4()).isEqualTo(SOURCE_IP);
                final byte[] copy = new byte[decoder.innerLength()];
                packet.get(decoder.innerOffset(), copy);
                inner.add(copy);
            }
        }
        assertThat(inner).hasSize(3);
        for (int i = 0; i < frames.size(); i++)
        {
            assertThat(inner.get(i)).isEqualTo(frames.get(i));
        }

        assumeTrue(tsharkAvailable(), "tshark is not installed; .ci/run installs it");
        final Process tshark = new ProcessBuilder("tshark", "-r", file.toString(), "-T", "fields",
            "-e", "vxlan.vni", "-e", "ip.src", "-e", "ip.dst", "-e", "_ws.malformed", "-e", "_ws.expert.severity")
            .redirectErrorStream(true).start();
        assertThat(tshark.waitFor(60, TimeUnit.SECONDS)).isTrue();
        final String output = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output.lines().filter(l -> !l.isBlank() && !l.startsWith("Running as"))).hasSize(3)
            .allSatisfy(line -> assertThat(line).startsWith("4242\t10.0.0.5,").contains("10.0.9.9,")
                .doesNotContain("Malformed"));
    }

    @Test
    void shouldWriteTruncatedCopiesWithOuterLengthsOfTheCut(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("cut.pcap");
        final MirrorConfiguration configuration =
            configuration(gettingStartedFilter("tmf-1"), session(SESSION, 1, 7).packetLength(100).build(), 9001).build();
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.pcap(file, InetAddress.getByName("10.0.9.9"))).build();
        engine.start();
        final byte[] frame = ipv4(17, PEER_IP, SOURCE_IP, 31000, 32000, 1000);
        engine.source(SOURCE).offer(ByteBuffer.wrap(frame));
        engine.close();

        try (CaptureReader reader = CaptureReader.open(file))
        {
            assertThat(reader.next()).isTrue();
            assertThat(reader.capturedLength()).isEqualTo(50 + 100);
            final ByteBuffer packet = reader.frame();
            final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
            assertThat(decoder.decodeFrame(packet, packet.position(), packet.remaining())).isEqualTo(ResultCode.OK);
            assertThat(decoder.innerLength()).isEqualTo(100);
            assertThat(packet.getShort(packet.position() + 16) & 0xFFFF).as("outer IPv4 total length").isEqualTo(136);
            assertThat(reader.next()).isFalse();
        }
    }

    private static boolean tsharkAvailable()
    {
        try
        {
            return new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start()
                .waitFor(30, TimeUnit.SECONDS);
        }
        catch (final IOException | InterruptedException ex)
        {
            return false;
        }
    }
}
