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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mirror diff --before A.json --after B.json --pcap IN.pcap}: what a change of configuration changes, as the
 * rows of {@code mirror explain} for both side by side, only where they differ. One pass over the capture, each frame
 * parsed once per configuration.
 *
 * <p>Rows pair by packet and interface: an interface of either configuration is asked of both, and where a
 * configuration lacks it, or the packet is not its traffic there, that side reads as explain's row of no interface
 * ({@code -,-,-,-,none,0}). A row changes when any of its columns after the interface differs: direction, session,
 * session number, rule number, action or mirrored bytes.
 */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {
        "Compare two AWS JSON configurations on a capture: for the packets they decide differently, print explain's "
            + "columns for both side by side:",
        "  " + DiffCommand.HEADER,
        "then 'changed: N of M packets'. Exits 0 whether or not anything changed."})
final class DiffCommand implements Callable<Integer>
{
    static final String HEADER = "index,interface," +
        "before_direction,before_session,before_session_number,before_rule_number,before_action,before_mirrored_bytes," +
        "after_direction,after_session,after_session_number,after_rule_number,after_action,after_mirrored_bytes";

    private static final byte[] NEWLINE = CsvOutput.bytes(System.lineSeparator());
    private static final byte[] COMMA = CsvOutput.bytes(",");
    private static final byte[] ABSENT = CsvOutput.bytes(",-,-,-,-,none,0");
    private static final byte[] INBOUND = CsvOutput.bytes(",inbound,");
    private static final byte[] OUTBOUND = CsvOutput.bytes(",outbound,");
    private static final byte[] NOT_MIRRORED = CsvOutput.bytes("-,-,-,none,0");
    private static final byte[] NO_RULE = CsvOutput.bytes("-");
    private static final byte[] ACCEPT = CsvOutput.bytes(",accept,");

    @Option(names = "--before", required = true, paramLabel = "A.json", description = "The configuration as it is.")
    private Path before;

    @Option(names = "--after", required = true, paramLabel = "B.json", description = "The configuration as it would be.")
    private Path after;

    @Option(names = "--pcap", required = true, paramLabel = "IN.pcap", description = "A pcap or pcapng capture.")
    private Path pcap;

    @Option(names = "--embedded-quotas", description = "Check both against the larger embedded-use quotas.")
    private boolean embeddedQuotas;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final MirrorConfiguration beforeConfiguration = Inputs.configuration(spec, before, embeddedQuotas);
        final MirrorConfiguration afterConfiguration = Inputs.configuration(spec, after, embeddedQuotas);
        final Side was = new Side(PacketClassifier.of(beforeConfiguration));
        final Side will = new Side(PacketClassifier.of(afterConfiguration));
        final List<String> interfaces = new ArrayList<>();
        for (final Side side : new Side[]{was, will})
        {
            for (int source = 0; source < side.classifier.sourceCount(); source++)
            {
                if (!interfaces.contains(side.classifier.sourceId(source)))
                {
                    interfaces.add(side.classifier.sourceId(source));
                }
            }
        }
        was.index(interfaces);
        will.index(interfaces);
        final byte[][] interfaceText = new byte[interfaces.size()][];
        for (int i = 0; i < interfaceText.length; i++)
        {
            interfaceText[i] = CsvOutput.bytes("," + interfaces.get(i));
        }
        final CsvOutput out = CsvOutput.to(spec.commandLine().getOut());
        try
        {
            out.append(CsvOutput.bytes(HEADER)).endRow(NEWLINE);
            out.flush();
            try (CaptureReader reader = Inputs.capture(spec, pcap))
            {
                long changed = 0;
                final CsvOutput.Counter index = new CsvOutput.Counter();
                while (reader.next())
                {
                    index.increment();
                    if (reader.linkType() != LinkType.ETHERNET)
                    {
                        // No interface's traffic in either configuration: explain's rows are the same.
                        continue;
                    }
                    final ByteBuffer frame = reader.frame();
                    was.classifier.parse(frame, frame.position(), frame.remaining());
                    will.classifier.parse(frame, frame.position(), frame.remaining());
                    boolean differs = false;
                    for (int i = 0; i < interfaceText.length; i++)
                    {
                        was.decide(i);
                        will.decide(i);
                        if (!was.sameAs(will))
                        {
                            differs = true;
                            out.append(index).append(interfaceText[i]);
                            was.write(out);
                            will.write(out);
                            out.endRow(NEWLINE);
                        }
                    }
                    if (differs)
                    {
                        changed++;
                    }
                }
                out.append(CsvOutput.bytes("changed: " + changed + " of " + index.value() + " packets")).endRow(NEWLINE);
                out.flush();
            }
        }
        catch (final CsvOutput.Failure ex)
        {
            Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, "cannot write to " + out.name() + ": " + ex.getMessage());
        }
        catch (final IOException ex)
        {
            try
            {
                out.flush();
            }
            catch (final IOException ignored)
            {
                // The input's error is the one to report.
            }
            Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, ex.getMessage());
        }
        return 0;
    }

    /**
     * One configuration's decision for the current packet at one interface, and the text to print it.
     */
    private static final class Side
    {
        final PacketClassifier classifier;
        /** The classifier's source index of each compared interface; -1 where the configuration lacks it. */
        private int[] sources;
        /** {@code "tms-...,1,"} per source and session index. */
        private final byte[][][] sessionText;

        private TrafficDirection direction;
        private int source;
        private MirrorSession session;
        private int sessionIndex;
        private int rule;
        private int mirroredBytes;

        Side(final PacketClassifier classifier)
        {
            this.classifier = classifier;
            sessionText = new byte[classifier.sourceCount()][][];
            for (int s = 0; s < sessionText.length; s++)
            {
                sessionText[s] = new byte[classifier.sessionCount(s)][];
                for (int i = 0; i < sessionText[s].length; i++)
                {
                    final MirrorSession each = classifier.session(s, i);
                    sessionText[s][i] = CsvOutput.bytes(each.id() + "," + each.sessionNumber() + ",");
                }
            }
        }

        void index(final List<String> interfaces)
        {
            sources = new int[interfaces.size()];
            for (int i = 0; i < sources.length; i++)
            {
                sources[i] = -1;
                for (int s = 0; s < classifier.sourceCount(); s++)
                {
                    if (classifier.sourceId(s).equals(interfaces.get(i)))
                    {
                        sources[i] = s;
                        break;
                    }
                }
            }
        }

        /** Decides the parsed packet at the compared interface {@code i}. */
        void decide(final int i)
        {
            source = sources[i];
            direction = source < 0 ? null : classifier.direction(source);
            session = null;
            rule = PacketClassifier.NO_RULE;
            mirroredBytes = 0;
            if (direction == null)
            {
                return;
            }
            final int index = classifier.decide(source, direction);
            if (index >= 0)
            {
                session = classifier.session(source, index);
                rule = classifier.ruleNumber();
                mirroredBytes = classifier.mirroredBytes();
                sessionIndex = index;
            }
        }

        boolean sameAs(final Side other)
        {
            return direction == other.direction && rule == other.rule && mirroredBytes == other.mirroredBytes &&
                (session == null ? other.session == null : other.session != null &&
                    session.id().equals(other.session.id()) && session.sessionNumber() == other.session.sessionNumber());
        }

        void write(final CsvOutput out) throws IOException
        {
            if (direction == null)
            {
                out.append(ABSENT);
                return;
            }
            out.append(direction == TrafficDirection.INGRESS ? INBOUND : OUTBOUND);
            if (session == null)
            {
                out.append(NOT_MIRRORED);
                return;
            }
            out.append(sessionText[source][sessionIndex]);
            if (rule == PacketClassifier.NO_RULE)
            {
                out.append(NO_RULE);
            }
            else
            {
                out.append(rule);
            }
            out.append(ACCEPT).append(mirroredBytes);
        }
    }
}
