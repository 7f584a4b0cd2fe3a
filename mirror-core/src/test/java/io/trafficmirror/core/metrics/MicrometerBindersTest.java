package io.trafficmirror.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.OfferResult;
import io.trafficmirror.core.engine.SourceHandle;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.core.receiver.MirrorReceiver;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static io.trafficmirror.testing.FrameBuilder.ip;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static io.trafficmirror.testing.FrameBuilder.vxlanHeader;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Micrometer binders on a {@link SimpleMeterRegistry}: names, tags and values against what the test offered,
 * received and sent, and meters following {@link MirrorEngine#update}.
 */
class MicrometerBindersTest
{
    private static final String SOURCE = "eni-a";
    private static final int SOURCE_IP = ip(10, 0, 0, 5);
    private static final int PEER_IP = ip(198, 51, 100, 7);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    @Timeout(60)
    void shouldReportTheEnginesCountsWithAwsNamesAndFollowUpdates() throws Exception
    {
        final AtomicLong t1Bytes = new AtomicLong();
        final AtomicLong t2Copies = new AtomicLong();
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration("s1", "t1"))
            .bind("t1", TargetBinding.consumer((session, vni, inner, length) -> t1Bytes.addAndGet(inner.remaining())))
            .bind("t2", TargetBinding.consumer((session, vni, inner, length) -> t2Copies.incrementAndGet()))
            .slotsPerTarget(2).build();
        final MirrorEngineMetrics metrics = new MirrorEngineMetrics(engine, Tags.of("engine", "test"), Duration.ZERO);
        metrics.bindTo(registry);
        final SourceHandle source = engine.source(SOURCE);

        // Before start: the first two copies fill both slots, the other six are skipped.
        final int[] lengths = {100, 200, 300, 400, 500};
        long skippedInBytes = 0;
        for (int i = 0; i < lengths.length; i++)
        {
            final int result = source.offer(ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000 + i, lengths[i])));
            assertThat(result).isEqualTo(i < 2 ? OfferResult.QUEUED : OfferResult.DROPPED_QUEUE_FULL);
            skippedInBytes += i < 2 ? 0 : lengths[i];
        }
        for (int i = 0; i < 3; i++)
        {
            assertThat(source.offer(ByteBuffer.wrap(ipv4(17, SOURCE_IP, PEER_IP, 2000, 1000, 90))))
                .isEqualTo(OfferResult.DROPPED_QUEUE_FULL);
        }
        // Rule 100 of the egress direction rejects SSH.
        assertThat(source.offer(ByteBuffer.wrap(ipv4(6, SOURCE_IP, PEER_IP, 22, 40000, 80))))
            .isEqualTo(OfferResult.NOT_MIRRORED);
        engine.start();
        await(() -> t1Bytes.get() == 300);

        assertThat(count("trafficmirror.source.mirror.packets", "direction", "in")).isEqualTo(2);
        assertThat(count("trafficmirror.source.mirror.bytes", "direction", "in")).isEqualTo(300);
        assertThat(count("trafficmirror.source.mirror.packets", "direction", "out")).isZero();
        assertThat(count("trafficmirror.source.skip.packets", "direction", "in")).isEqualTo(3);
        assertThat(count("trafficmirror.source.skip.bytes", "direction", "in")).isEqualTo(skippedInBytes);
        assertThat(count("trafficmirror.source.skip.packets", "direction", "out")).isEqualTo(3);
        assertThat(count("trafficmirror.source.skip.bytes", "direction", "out")).isEqualTo(270);
        assertThat(registry.get("trafficmirror.source.skip.packets").tags("source", SOURCE, "direction", "out")
            .functionCounter().getId().getTag("cloudwatch")).isEqualTo("NetworkPacketsSkipMirrorOut");
        assertThat(registry.get("trafficmirror.source.mirror.bytes").tags("direction", "in").functionCounter().getId()
            .getTag("cloudwatch")).isEqualTo("NetworkMirrorIn");
        assertThat(count("trafficmirror.source.offered.packets", "source", SOURCE)).isEqualTo(9);
        assertThat(count("trafficmirror.source.not.mirrored.packets", "reason", "rejected")).isEqualTo(1);
        assertThat(count("trafficmirror.session.accepted.packets", "session", "s1")).isEqualTo(8);
        assertThat(count("trafficmirror.session.rejected.packets", "session", "s1")).isEqualTo(1);
        assertThat(count("trafficmirror.session.dropped.packets", "reason", "queue_full")).isEqualTo(6);
        assertThat(count("trafficmirror.target.mirrored.packets", "target", "t1")).isEqualTo(2);
        assertThat(count("trafficmirror.target.dropped.packets", "reason", "queue_full")).isEqualTo(6);
        assertThat(registry.get("trafficmirror.target.queued").tag("target", "t1").gauge().value()).isZero();
        assertThat(count("trafficmirror.rule.hits.packets", "direction", "in", "rule", "200")).isEqualTo(5);
        assertThat(count("trafficmirror.rule.hits.packets", "direction", "out", "rule", "100")).isEqualTo(1);
        assertThat(count("trafficmirror.rule.hits.packets", "direction", "out", "rule", "200")).isEqualTo(3);
        for (final Meter meter : registry.getMeters())
        {
            assertThat(meter.getId().getName()).startsWith("trafficmirror.");
            assertThat(meter.getId().getTag("engine")).isEqualTo("test");
            meter.measure().forEach(measurement -> assertThat(measurement.getValue()).isNotNaN());
        }
        final long t1Meters = meters("target", "t1");

        // The update replaces s1 by s2, to t2: their meters follow, and the source's keep counting.
        engine.update(configuration("s2", "t2"));
        metrics.refresh();
        assertThat(source.offer(ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000, 3000, 120))))
            .isEqualTo(OfferResult.QUEUED);
        await(() -> t2Copies.get() == 1);

        assertThat(meters("session", "s1")).isZero();
        assertThat(meters("target", "t1")).isZero();
        assertThat(meters("target", "t2")).isEqualTo(t1Meters);
        assertThat(count("trafficmirror.session.accepted.packets", "session", "s2")).isEqualTo(1);
        assertThat(count("trafficmirror.target.mirrored.packets", "target", "t2")).isEqualTo(1);
        assertThat(count("trafficmirror.rule.hits.packets", "session", "s2", "direction", "in", "rule", "200"))
            .isEqualTo(1);
        assertThat(count("trafficmirror.source.mirror.packets", "direction", "in")).isEqualTo(3);
        assertThat(count("trafficmirror.source.offered.packets", "source", SOURCE)).isEqualTo(10);

        // And back, without refresh(): the first read after the update matches the meters to it, and s1's return with
        // the counts the engine kept.
        engine.update(configuration("s1", "t1"));
        assertThat(count("trafficmirror.source.offered.packets", "source", SOURCE)).isEqualTo(10);
        assertThat(count("trafficmirror.session.accepted.packets", "session", "s1")).isEqualTo(8);
        assertThat(meters("session", "s2")).isZero();
        engine.close();
    }

    @Test
    @Timeout(60)
    void shouldReportEachUdpEndpointsIcmpReportsApartFromTheCopies() throws Exception
    {
        final InetSocketAddress closed;
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closed = (InetSocketAddress)probe.getLocalAddress();
        }
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration("s1", "t1"))
            .bind("t1", TargetBinding.udp(closed)).socketsPerEndpoint(1).build();
        new MirrorEngineMetrics(engine, Tags.empty(), Duration.ZERO).bindTo(registry);
        engine.start();
        final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofSeconds(10));
        final String endpoint = "127.0.0.1:" + closed.getPort();
        // One at a time: a report is told on the socket's next send, so the copy after the first tells it.
        int offered = 0;
        while (offered < 200 && count("trafficmirror.target.endpoint.unreachable", "endpoint", endpoint) == 0)
        {
            assertThat(source.offer(ByteBuffer.wrap(ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 100))))
                .isEqualTo(OfferResult.QUEUED);
            offered++;
            Thread.sleep(5);
        }
        assertThat(engine.close(Duration.ofSeconds(10))).isTrue();

        final double unreachable = count("trafficmirror.target.endpoint.unreachable", "target", "t1", "endpoint",
            endpoint);
        assertThat(unreachable).isPositive().isEqualTo(engine.metrics().endpoints().get(0).unreachable());
        assertThat(count("trafficmirror.target.mirrored.packets", "target", "t1")).isEqualTo(offered);
        assertThat(MirrorEngineMetrics.endpointTag(new InetSocketAddress(InetAddress.getByName("::1"), 4789)))
            .isEqualTo("[0:0:0:0:0:0:0:1]:4789");
    }

    @Test
    @Timeout(60)
    void shouldReportTheReceiversCounts() throws Exception
    {
        final List<Integer> vnis = new ArrayList<>();
        try (MirrorReceiver receiver = MirrorReceiver.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).allowVnis(7, 8)
            .sessions(Map.of(7, "tms-0123456789abcdef0"))
            .handler((vni, sender, nanos, frame) -> vnis.add(vni)).open();
            DatagramChannel channel = DatagramChannel.open())
        {
            new MirrorReceiverMetrics(receiver, Tags.of("receiver", "test")).bindTo(registry);
            receiver.start();
            final byte[] inner = ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 150);
            channel.send(ByteBuffer.wrap(concat(vxlanHeader(0x08, 7), inner)), receiver.localAddress());
            channel.send(ByteBuffer.wrap(concat(vxlanHeader(0x08, 7), inner)), receiver.localAddress());
            channel.send(ByteBuffer.wrap(concat(vxlanHeader(0x08, 9), inner)), receiver.localAddress());
            channel.send(ByteBuffer.wrap(concat(vxlanHeader(0x08, 8), inner)), receiver.localAddress());
            channel.send(ByteBuffer.wrap(new byte[5]), receiver.localAddress());
            await(() -> receiver.counters().received() == 5);

            assertThat(count("trafficmirror.receiver.received.packets", "receiver", "test")).isEqualTo(5);
            assertThat(count("trafficmirror.receiver.accepted.packets", "receiver", "test")).isEqualTo(2);
            assertThat(count("trafficmirror.receiver.accepted.bytes", "receiver", "test")).isEqualTo(2 * inner.length);
            assertThat(count("trafficmirror.receiver.dropped.packets", "reason", "vni")).isEqualTo(1);
            assertThat(count("trafficmirror.receiver.dropped.packets", "reason", "malformed")).isEqualTo(1);
            assertThat(count("trafficmirror.receiver.dropped.packets", "reason", "sender")).isZero();
            assertThat(count("trafficmirror.receiver.dropped.packets", "reason", "not_ethernet")).isZero();
            assertThat(count("trafficmirror.receiver.dropped.packets", "reason", "no_session")).isEqualTo(1);
            assertThat(droppedOverAllReasons() + count("trafficmirror.receiver.accepted.packets"))
                .as("every datagram is accepted or dropped for a reason the meters show").isEqualTo(5);
        }
    }

    @Test
    @Timeout(60)
    void shouldReportTheFrameWhoseHandlerThrewAsAWriteFailure() throws Exception
    {
        try (MirrorReceiver receiver = MirrorReceiver.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .handler((vni, sender, nanos, frame) ->
            {
                throw new IllegalStateException("the handler's own failure");
            }).open();
            DatagramChannel channel = DatagramChannel.open())
        {
            new MirrorReceiverMetrics(receiver, Tags.of("receiver", "test")).bindTo(registry);
            receiver.start();
            channel.send(ByteBuffer.wrap(concat(vxlanHeader(0x08, 7), ipv4(17, PEER_IP, SOURCE_IP, 1000, 2000, 150))),
                receiver.localAddress());
            await(() -> receiver.counters().received() == 1 && receiver.stopReason().isPresent());

            assertThat(count("trafficmirror.receiver.dropped.packets", "reason", "write_failed")).isEqualTo(1);
            assertThat(count("trafficmirror.receiver.dropped.packets", "reason", "writer_behind")).isZero();
            assertThat(count("trafficmirror.receiver.dropped.packets", "reason", "file_open")).isZero();
            assertThat(droppedOverAllReasons() + count("trafficmirror.receiver.accepted.packets")).isEqualTo(1);
        }
    }

    private double droppedOverAllReasons()
    {
        return registry.find("trafficmirror.receiver.dropped.packets").functionCounters().stream()
            .mapToDouble(FunctionCounter::count).sum();
    }

    private static MirrorConfiguration configuration(final String session, final String target)
    {
        final MirrorFilter filter = MirrorFilter.builder().id("tmf-1")
            .addRule(rule(TrafficDirection.INGRESS, 200, RuleAction.ACCEPT).build())
            .addRule(rule(TrafficDirection.EGRESS, 100, RuleAction.REJECT).protocol(6).sourcePortRange(22, 22).build())
            .addRule(rule(TrafficDirection.EGRESS, 200, RuleAction.ACCEPT).build())
            .build();
        return MirrorConfiguration.builder()
            .quotas(Quotas.embedded())
            .addTarget(MirrorTarget.builder().id(target).networkInterface("eni-" + target).mtu(9001).build())
            .addFilter(filter)
            .addSource(MirrorSource.builder().networkInterfaceId(SOURCE).privateIpAddress("10.0.0.5").vpcId("vpc-1")
                .addVpcCidrBlock("10.0.0.0/16").build())
            .addSession(MirrorSession.builder().id(session).networkInterfaceId(SOURCE).targetId(target)
                .filterId("tmf-1").sessionNumber(1).virtualNetworkId(77).build())
            .build();
    }

    private static FilterRule.Builder rule(final TrafficDirection direction, final int number, final RuleAction action)
    {
        return FilterRule.builder().direction(direction).ruleNumber(number).action(action)
            .sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("0.0.0.0/0");
    }

    private double count(final String name, final String... tags)
    {
        final FunctionCounter counter = registry.get(name).tags(tags).functionCounter();
        return counter.count();
    }

    private long meters(final String tag, final String value)
    {
        return registry.getMeters().stream().filter(meter -> value.equals(meter.getId().getTag(tag))).count();
    }

    private static byte[] concat(final byte[] first, final byte[] second)
    {
        return ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();
    }

    private static void await(final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadline).as("waited 10 s").isNegative();
            Thread.sleep(2);
        }
    }
}
