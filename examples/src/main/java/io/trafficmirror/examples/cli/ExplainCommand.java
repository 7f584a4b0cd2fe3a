package io.trafficmirror.examples.cli;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.capture.LinkType;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.engine.PacketClassifier;
import io.trafficmirror.filter.TrafficDirection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mirror explain --config CONFIG.json --pcap IN.pcap}: what an AWS configuration would mirror of a capture,
 * as CSV, one row per packet and interface it belongs to. Decided by the engine's own code, sending nothing.
 *
 * <p>Streams: one frame and one output buffer at a time, whatever the capture's size. Each frame is parsed once
 * for every interface's direction and decision, and rows are built from digits and text encoded up front.
 *
 * <p>{@code --summary} prints totals instead ({@link ExplainSummary}), from the same decisions in the same pass.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
        "Dry-run an AWS JSON configuration against a capture; print one CSV row per packet and interface:",
        "  " + ExplainCommand.HEADER,
        "With --summary, one row per distinct interface, session, direction, rule and action instead:",
        "  " + ExplainSummary.HEADER,
        "then per target: target ID span_seconds= copies= mirrored_bytes= received_bytes= mean_bits_per_second= "
            + "peak_bits_per_second=",
        "(received bytes and rates count the 50 bytes of outer Ethernet, IPv4, UDP and VXLAN headers per copy)."})
final class ExplainCommand implements Callable<Integer>
{
    static final String HEADER = "index,direction,interface,session,session_number,rule_number,action,mirrored_bytes";

    private static final byte[] NEWLINE = CsvOutput.bytes(System.lineSeparator());
    private static final byte[] NO_INTERFACE = CsvOutput.bytes(",-,-,-,-,-,none,0");
    private static final byte[] NOT_MIRRORED = CsvOutput.bytes("-,-,-,none,0");
    private static final byte[] NO_RULE = CsvOutput.bytes("-");
    private static final byte[] ACCEPT = CsvOutput.bytes(",accept,");

    @Option(names = "--config", required = true, paramLabel = "CONFIG.json",
        description = "The AWS JSON configuration, or terraform show -json of a plan or a state; repeatable.")
    private List<Path> config;

    @Option(names = "--pcap", required = true, paramLabel = "IN.pcap", description = "A pcap or pcapng capture.")
    private Path pcap;

    @Option(names = "--verbose", description = "Print a readable reason per row on stderr (not with --summary).")
    private boolean verbose;

    @Option(names = "--summary", description = "Print totals per interface, session, direction, rule and action, "
        + "and each target's mean and peak bit rate, instead of one row per packet.")
    private boolean summary;

    @Option(names = "--embedded-quotas", description = "Check against the larger embedded-use quotas.")
    private boolean embeddedQuotas;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        return run(spec.qualifiedName(), spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * The command for arguments in the plain form {@code explain --config FILE --pcap FILE [--verbose]
     * [--summary] [--embedded-quotas]} (options in any order, values as the next argument or after {@code =}), so that the
     * common run starts without picocli building its model by reflection. Anything else, such as help, a repeated
     * or unknown option, or a missing one, is left to picocli and its messages.
     *
     * @return the command with its options set, or null.
     */
    static ExplainCommand parsePlain(final String[] args)
    {
        if (args.length < 3 || !"explain".equals(args[0]))
        {
            return null;
        }
        final ExplainCommand command = new ExplainCommand();
        try
        {
            for (int i = 1; i < args.length; i++)
            {
                final String arg = args[i];
                final int equals = arg.indexOf('=');
                final String name = equals < 0 ? arg : arg.substring(0, equals);
                final boolean takesValue = "--config".equals(name) || "--pcap".equals(name);
                if (!takesValue && equals >= 0)
                {
                    return null;
                }
                String value = null;
                if (takesValue)
                {
                    value = equals >= 0 ? arg.substring(equals + 1) : i + 1 < args.length ? args[++i] : null;
                    if (value == null || value.isEmpty() || value.startsWith("-") || value.startsWith("@"))
                    {
                        return null;
                    }
                }
                if ("--config".equals(name) && command.config == null)
                {
                    command.config = List.of(Path.of(value));
                }
                else if ("--pcap".equals(name) && command.pcap == null)
                {
                    command.pcap = Path.of(value);
                }
                else if ("--verbose".equals(name) && !command.verbose)
                {
                    command.verbose = true;
                }
                else if ("--summary".equals(name) && !command.summary)
                {
                    command.summary = true;
                }
                else if ("--embedded-quotas".equals(name) && !command.embeddedQuotas)
                {
                    command.embeddedQuotas = true;
                }
                else
                {
                    return null;
                }
            }
        }
        catch (final InvalidPathException ex)
        {
            return null;
        }
        return command.config != null && command.pcap != null ? command : null;
    }

    /**
     * Runs the command with its options set.
     *
     * @param name the command's name in messages, {@code mirror explain}.
     * @return the exit code.
     */
    int run(final String name, final PrintWriter commandOut, final PrintWriter err)
    {
        if (summary && verbose)
        {
            Inputs.fail(name, err, MirrorCommand.EXIT_USAGE,
                "--summary and --verbose cannot be combined: --verbose explains each row, --summary prints totals");
        }
        final MirrorConfiguration configuration = Inputs.configuration(name, err, config, embeddedQuotas);
        final PacketClassifier classifier = PacketClassifier.of(configuration);
        final CsvOutput out = CsvOutput.to(commandOut);
        try
        {
            // The header goes out first, even when the capture then cannot be opened.
            out.append(CsvOutput.bytes(summary ? ExplainSummary.HEADER : HEADER)).endRow(NEWLINE);
            out.flush();
            try (CaptureReader reader = Inputs.capture(name, err, pcap))
            {
                if (summary)
                {
                    final ExplainSummary totals = new ExplainSummary(configuration, classifier);
                    summarize(reader, classifier, totals);
                    totals.write(out, NEWLINE);
                }
                else
                {
                    explain(reader, classifier, new Rows(classifier), out, verbose ? err : null);
                }
                out.flush();
            }
        }
        catch (final CsvOutput.Failure ex)
        {
            Inputs.fail(name, err, MirrorCommand.EXIT_FAILURE, "cannot write to " + out.name() + ": " + ex.getMessage());
        }
        catch (final IOException ex)
        {
            // The rows before the bad record are still told.
            flushQuietly(out);
            Inputs.fail(name, err, MirrorCommand.EXIT_FAILURE, ex.getMessage());
        }
        return 0;
    }

    private static void explain(final CaptureReader reader, final PacketClassifier classifier, final Rows rows,
        final CsvOutput out, final PrintWriter verbose) throws IOException
    {
        final int sources = classifier.sourceCount();
        final CsvOutput.Counter index = new CsvOutput.Counter();
        while (reader.next())
        {
            index.increment();
            final ByteBuffer frame = reader.frame();
            if (reader.linkType() != LinkType.ETHERNET)
            {
                out.append(index).append(NO_INTERFACE).endRow(NEWLINE);
                if (verbose != null)
                {
                    verbose.println(index.value() + ": link type " + reader.linkType() + " is not Ethernet");
                }
                continue;
            }
            classifier.parse(frame, frame.position(), frame.remaining());
            boolean any = false;
            for (int source = 0; source < sources; source++)
            {
                final TrafficDirection direction = classifier.direction(source);
                if (direction == null)
                {
                    continue;
                }
                any = true;
                final int session = classifier.decide(source, direction);
                out.append(index).append(direction == TrafficDirection.INGRESS ? rows.inbound[source] :
                    rows.outbound[source]);
                if (session < 0)
                {
                    out.append(NOT_MIRRORED);
                }
                else
                {
                    out.append(rows.sessions[source][session]);
                    final int rule = classifier.ruleNumber();
                    if (rule == PacketClassifier.NO_RULE)
                    {
                        out.append(NO_RULE);
                    }
                    else
                    {
                        out.append(rule);
                    }
                    out.append(ACCEPT).append(classifier.mirroredBytes());
                }
                out.endRow(NEWLINE);
                if (verbose != null)
                {
                    verbose.println(index.value() + " " + classifier.sourceId(source) + ": " + classifier.decision() + " | " +
                        classifier.explain(source, direction));
                }
            }
            if (!any)
            {
                out.append(index).append(NO_INTERFACE).endRow(NEWLINE);
                if (verbose != null)
                {
                    verbose.println(index.value() + ": not the traffic of any configured network interface");
                }
            }
        }
    }

    /**
     * Counts what {@link #explain} would print, row by row: the same decisions, totalled. A capture cut short ends
     * the command without totals, as totals of part of a capture would read as the whole.
     */
    private static void summarize(final CaptureReader reader, final PacketClassifier classifier,
        final ExplainSummary totals) throws IOException
    {
        final int sources = classifier.sourceCount();
        while (reader.next())
        {
            final ByteBuffer frame = reader.frame();
            final int length = frame.remaining();
            totals.record(reader.hasTimestamp(), reader.timestampNanos());
            if (reader.linkType() != LinkType.ETHERNET)
            {
                totals.noInterface(length);
                continue;
            }
            classifier.parse(frame, frame.position(), length);
            boolean any = false;
            for (int source = 0; source < sources; source++)
            {
                final TrafficDirection direction = classifier.direction(source);
                if (direction == null)
                {
                    continue;
                }
                any = true;
                totals.row(source, direction == TrafficDirection.INGRESS, classifier.decide(source, direction), length);
            }
            if (!any)
            {
                totals.noInterface(length);
            }
        }
    }

    private static void flushQuietly(final CsvOutput out)
    {
        try
        {
            out.flush();
        }
        catch (final IOException ignored)
        {
            // The input's error is the one to report.
        }
    }

    /**
     * The constant parts of every row, encoded once per interface and session.
     */
    private static final class Rows
    {
        /** {@code ",inbound,eni-...,"} per source index. */
        final byte[][] inbound;
        /** {@code ",outbound,eni-...,"} per source index. */
        final byte[][] outbound;
        /** {@code "tms-...,1,"} per source and session index. */
        final byte[][][] sessions;

        Rows(final PacketClassifier classifier)
        {
            final int count = classifier.sourceCount();
            inbound = new byte[count][];
            outbound = new byte[count][];
            sessions = new byte[count][][];
            for (int source = 0; source < count; source++)
            {
                final String id = classifier.sourceId(source);
                inbound[source] = CsvOutput.bytes(",inbound," + id + ",");
                outbound[source] = CsvOutput.bytes(",outbound," + id + ",");
                sessions[source] = new byte[classifier.sessionCount(source)][];
                for (int i = 0; i < sessions[source].length; i++)
                {
                    final MirrorSession session = classifier.session(source, i);
                    sessions[source][i] = CsvOutput.bytes(session.id() + "," + session.sessionNumber() + ",");
                }
            }
        }
    }
}
