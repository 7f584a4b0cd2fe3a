package io.trafficmirror.examples.cli;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.capture.LinkType;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.engine.PacketClassifier;
import io.trafficmirror.filter.TrafficDirection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mirror explain --config CONFIG.json --pcap IN.pcap}: what an AWS configuration would mirror of a capture,
 * as CSV, one row per packet and interface it belongs to. Decided by the engine's own code, sending nothing.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = "Dry-run an AWS JSON configuration against a capture; print one CSV row per packet and interface.")
final class ExplainCommand implements Callable<Integer>
{
    static final String HEADER = "index,direction,interface,session,session_number,rule_number,action,mirrored_bytes";

    @Option(names = "--config", required = true, paramLabel = "CONFIG.json", description = "The AWS JSON configuration.")
    private Path config;

    @Option(names = "--pcap", required = true, paramLabel = "IN.pcap", description = "A pcap or pcapng capture.")
    private Path pcap;

    @Option(names = "--verbose", description = "Print a readable reason per row on stderr.")
    private boolean verbose;

    @Option(names = "--embedded-quotas", description = "Check against the larger embedded-use quotas.")
    private boolean embeddedQuotas;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException
    {
        final MirrorConfiguration configuration = Inputs.configuration(spec, config, embeddedQuotas);
        final PacketClassifier classifier = PacketClassifier.of(configuration);
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        out.println(HEADER);
        long index = 0;
        try (CaptureReader reader = Inputs.capture(spec, pcap))
        {
            while (reader.next())
            {
                index++;
                final ByteBuffer frame = reader.frame();
                if (reader.linkType() != LinkType.ETHERNET)
                {
                    out.println(index + ",-,-,-,-,-,none,0");
                    if (verbose)
                    {
                        err.println(index + ": link type " + reader.linkType() + " is not Ethernet");
                    }
                    continue;
                }
                boolean any = false;
                for (final MirrorSource source : configuration.sources())
                {
                    final String id = source.networkInterfaceId();
                    final Optional<TrafficDirection> direction =
                        classifier.direction(id, frame, frame.position(), frame.remaining());
                    if (direction.isEmpty())
                    {
                        continue;
                    }
                    any = true;
                    final PacketClassifier.Decision decision =
                        classifier.classify(id, frame, frame.position(), frame.remaining(), direction.get());
                    out.println(row(index, direction.get(), id, decision));
                    if (verbose)
                    {
                        err.println(index + " " + id + ": " + decision + " | " +
                            classifier.explain(id, frame, frame.position(), frame.remaining(), direction.get()));
                    }
                }
                if (!any)
                {
                    out.println(index + ",-,-,-,-,-,none,0");
                    if (verbose)
                    {
                        err.println(index + ": not the traffic of any configured network interface");
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            out.flush();
            Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, ex.getMessage());
        }
        out.flush();
        return 0;
    }

    static String row(final long index, final TrafficDirection direction, final String interfaceId,
        final PacketClassifier.Decision decision)
    {
        final String directionText = direction == TrafficDirection.INGRESS ? "inbound" : "outbound";
        if (!decision.mirrored())
        {
            return index + "," + directionText + "," + interfaceId + ",-,-,-,none,0";
        }
        final MirrorSession session = decision.session().orElseThrow();
        return index + "," + directionText + "," + interfaceId + "," + session.id() + "," + session.sessionNumber() +
            "," + (decision.ruleNumber().isPresent() ? String.valueOf(decision.ruleNumber().getAsInt()) : "-") +
            ",accept," + decision.mirroredBytes();
    }
}
