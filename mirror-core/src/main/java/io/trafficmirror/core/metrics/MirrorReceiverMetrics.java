package io.trafficmirror.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.trafficmirror.core.receiver.MirrorReceiver;
import io.trafficmirror.core.receiver.ReceiverCounters;

import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Binds a {@link MirrorReceiver}'s counters to Micrometer: {@code new MirrorReceiverMetrics(receiver).bindTo(registry)}.
 * Each meter is a {@link FunctionCounter} that reads the receiver's {@link MirrorReceiver#counters()}, a handful of
 * plain reads, so no snapshot is cached. The meters hold the receiver weakly, as Micrometer's function meters do.
 * Names and tags are listed in the README's "Metrics" section.
 */
public final class MirrorReceiverMetrics implements MeterBinder
{
    private static final String PACKETS = "packets";

    private final MirrorReceiver receiver;
    private final Tags tags;

    /**
     * @param receiver the receiver to report.
     */
    public MirrorReceiverMetrics(final MirrorReceiver receiver)
    {
        this(receiver, Tags.empty());
    }

    /**
     * @param receiver the receiver to report.
     * @param tags     tags every meter gets, e.g. to tell receivers apart.
     */
    public MirrorReceiverMetrics(final MirrorReceiver receiver, final Iterable<Tag> tags)
    {
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(final MeterRegistry registry)
    {
        counter(registry, "trafficmirror.receiver.received.packets", tags, "Datagrams taken from the socket", PACKETS,
            ReceiverCounters::received);
        counter(registry, "trafficmirror.receiver.accepted.packets", tags,
            "Frames delivered to the handler or written to a capture file", PACKETS, ReceiverCounters::accepted);
        counter(registry, "trafficmirror.receiver.accepted.bytes", tags, "Inner frame bytes of the accepted frames",
            "bytes", ReceiverCounters::acceptedBytes);
        final String dropped = "trafficmirror.receiver.dropped.packets";
        final String description = "Datagrams not accepted, by reason";
        counter(registry, dropped, tags.and("reason", "sender"), description, PACKETS, ReceiverCounters::droppedSender);
        counter(registry, dropped, tags.and("reason", "vni"), description, PACKETS, ReceiverCounters::droppedVni);
        counter(registry, dropped, tags.and("reason", "malformed"), description, PACKETS, ReceiverCounters::malformed);
        counter(registry, dropped, tags.and("reason", "not_ethernet"), description, PACKETS,
            ReceiverCounters::droppedNotEthernet);
        counter(registry, dropped, tags.and("reason", "writer_behind"), description, PACKETS,
            ReceiverCounters::droppedWriterBehind);
        counter(registry, dropped, tags.and("reason", "file_open"), description, PACKETS,
            ReceiverCounters::droppedFileOpen);
        counter(registry, dropped, tags.and("reason", "write_failed"), description, PACKETS,
            ReceiverCounters::droppedWriteFailed);
        counter(registry, dropped, tags.and("reason", "no_session"), description, PACKETS,
            ReceiverCounters::droppedNoSession);
    }

    private void counter(
        final MeterRegistry registry,
        final String name,
        final Tags meterTags,
        final String description,
        final String unit,
        final ToLongFunction<ReceiverCounters> value)
    {
        FunctionCounter.builder(name, receiver, r -> value.applyAsLong(r.counters()))
            .tags(meterTags).description(description).baseUnit(unit).register(registry);
    }
}
