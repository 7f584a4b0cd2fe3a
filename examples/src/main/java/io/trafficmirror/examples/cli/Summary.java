package io.trafficmirror.examples.cli;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.engine.MetricsSnapshot;
import io.trafficmirror.core.engine.NotMirroredReason;

import java.io.PrintWriter;

/**
 * Prints the engine's counters as the tables of {@code mirror replay} and {@code mirror demo}.
 */
final class Summary
{
    private Summary()
    {
    }

    static void print(final PrintWriter out, final MirrorConfiguration configuration, final MetricsSnapshot metrics)
    {
        out.println();
        out.printf("%-24s %10s %12s %10s %10s %10s %10s %10s%n", "interface", "offered", "bytes", "mirrored",
            "rejected", "unmatched", "excluded", "other");
        metrics.sources().forEach((id, source) ->
        {
            long mirrored = 0;
            for (final MirrorSession session : configuration.sessionsOf(id))
            {
                final MetricsSnapshot.SessionMetrics s = metrics.sessions().get(session.id());
                if (s != null)
                {
                    mirrored += s.acceptedPackets();
                }
            }
            final long rejected = source.notMirroredByReason().getOrDefault(
                NotMirroredReason.REJECTED, 0L);
            final long unmatched = source.notMirroredByReason().getOrDefault(
                NotMirroredReason.UNMATCHED, 0L);
            final long excluded = source.notMirroredByReason().getOrDefault(
                NotMirroredReason.EXCLUDED, 0L) +
                source.notMirroredByReason().getOrDefault(
                    NotMirroredReason.AMAZON_DNS_NOT_ENABLED, 0L);
            final long other = source.notMirroredPackets() - rejected - unmatched - excluded;
            out.printf("%-24s %10d %12d %10d %10d %10d %10d %10d%n", id, source.offeredPackets(),
                source.offeredBytes(), mirrored, rejected, unmatched, excluded, other);
        });

        // AWS's CloudWatch names for a mirror source, without the In/Out suffix the dir column gives.
        out.println();
        out.printf("%-24s %-4s %14s %21s %18s %25s%n", "interface", "dir", "NetworkMirror", "NetworkPacketsMirror",
            "NetworkSkipMirror", "NetworkPacketsSkipMirror");
        metrics.sources().forEach((id, source) ->
        {
            final MetricsSnapshot.CloudWatchMetrics cloudWatch = source.cloudWatch();
            out.printf("%-24s %-4s %14d %21d %18d %25d%n", id, "In", cloudWatch.networkMirrorIn(),
                cloudWatch.networkPacketsMirrorIn(), cloudWatch.networkSkipMirrorIn(),
                cloudWatch.networkPacketsSkipMirrorIn());
            out.printf("%-24s %-4s %14d %21d %18d %25d%n", id, "Out", cloudWatch.networkMirrorOut(),
                cloudWatch.networkPacketsMirrorOut(), cloudWatch.networkSkipMirrorOut(),
                cloudWatch.networkPacketsSkipMirrorOut());
        });

        out.println();
        out.printf("%-24s %8s %10s %10s %12s %10s %10s %10s%n", "session", "number", "accepted", "sent",
            "sent bytes", "truncated", "dropped", "VNI");
        for (final MirrorSession session : configuration.sessions())
        {
            final MetricsSnapshot.SessionMetrics s = metrics.sessions().get(session.id());
            if (s == null)
            {
                continue;
            }
            out.printf("%-24s %8d %10d %10d %12d %10d %10d %10d%n", session.id(), session.sessionNumber(),
                s.acceptedPackets(), s.copies().mirroredPackets(), s.copies().mirroredBytes(),
                s.copies().truncatedPackets(), s.copies().droppedPackets(), session.virtualNetworkId().getAsInt());
        }

        out.println();
        out.printf("%-24s %-8s %8s %10s %12s%n", "rule of session", "dir", "number", "hits", "bytes");
        for (final MetricsSnapshot.RuleMetrics rule : metrics.rules())
        {
            out.printf("%-24s %-8s %8d %10d %12d%n", rule.sessionId(), rule.direction(), rule.ruleNumber(),
                rule.hitPackets(), rule.hitBytes());
        }
        out.flush();
    }

    /**
     * The run's totals over every target: packets read, copies accepted, mirrored and dropped by reason, and the
     * rate of mirrored copies over the elapsed time (reading, sending and draining).
     */
    static void printTotals(final PrintWriter out, final String input, final long packetsRead,
        final MetricsSnapshot metrics, final long elapsedNanos)
    {
        long accepted = 0;
        long mirrored = 0;
        long queueFull = 0;
        long sendError = 0;
        long failure = 0;
        long shutdown = 0;
        for (final MetricsSnapshot.CopyMetrics target : metrics.targets().values())
        {
            accepted += target.acceptedPackets();
            mirrored += target.mirroredPackets();
            queueFull += target.droppedQueueFull();
            sendError += target.droppedSendError();
            failure += target.droppedFailure();
            shutdown += target.droppedShutdown();
        }
        final double seconds = elapsedNanos / 1e9;
        out.println();
        out.printf("%-24s %10s %10s %10s %10s %10s %10s %10s %10s %12s%n", "input", "read", "accepted", "mirrored",
            "queue full", "send error", "failure", "shutdown", "seconds", "copies/s");
        out.printf("%-24s %10d %10d %10d %10d %10d %10d %10d %10.3f %12.0f%n", input, packetsRead, accepted, mirrored,
            queueFull, sendError, failure, shutdown, seconds, seconds > 0 ? mirrored / seconds : 0.0);
        for (final MetricsSnapshot.EndpointMetrics endpoint : metrics.endpoints())
        {
            if (endpoint.unreachable() > 0)
            {
                // Mirrored means handed to the kernel: say where the network reported that copies went nowhere.
                out.printf("%s %s: %d ICMP port unreachable report(s): nothing listened there, so copies counted " +
                    "mirrored were lost%n", endpoint.targetId(), Endpoints.format(endpoint.address()),
                    endpoint.unreachable());
            }
        }
        out.flush();
    }
}
