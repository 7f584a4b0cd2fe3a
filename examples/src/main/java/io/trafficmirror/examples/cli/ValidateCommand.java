package io.trafficmirror.examples.cli;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.TrafficDirection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/**
 * {@code mirror validate --config FILE}: loads an AWS JSON configuration, checks it as AWS would and prints it,
 * each session with its filter's rules in evaluation order; or prints every problem found.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check an AWS JSON traffic mirroring configuration and print it as validated.")
final class ValidateCommand implements Callable<Integer>
{
    @Option(names = "--config", required = true, paramLabel = "CONFIG.json",
        description = "Merged output of aws ec2 describe-traffic-mirror-filters, -sessions, -targets, " +
            "describe-network-interfaces and optionally describe-vpcs, or terraform show -json of a plan or a " +
            "state; repeatable, the documents are read as one.")
    private List<Path> config;

    @Option(names = "--json", description = "Print the validated configuration as AWS JSON instead of a summary.")
    private boolean json;

    @Option(names = "--embedded-quotas",
        description = "Check against the larger embedded-use quotas instead of AWS's.")
    private boolean embeddedQuotas;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final AwsJsonConfiguration reader = Inputs.reader(embeddedQuotas);
        final MirrorConfiguration configuration = Inputs.configuration(spec.qualifiedName(), err, config, reader);
        if (json)
        {
            out.print(reader.write(configuration));
        }
        else
        {
            printSummary(out, configuration);
        }
        out.flush();
        return 0;
    }

    /**
     * The length a session mirrors and where it comes from: the session's own, its target type's default, or none.
     */
    static String packetLength(final MirrorConfiguration configuration, final MirrorSession session)
    {
        if (session.packetLength().isPresent())
        {
            return session.packetLength().getAsInt() + " bytes";
        }
        final OptionalInt effective = configuration.packetLength(session);
        return effective.isPresent() ?
            effective.getAsInt() + " bytes (default for Network Load Balancer targets)" : "whole packet";
    }

    private static void printSummary(final PrintWriter out, final MirrorConfiguration configuration)
    {
        out.printf("%s: valid (%d target(s), %d filter(s), %d session(s), %d network interface(s))%n",
            "configuration", configuration.targets().size(), configuration.filters().size(),
            configuration.sessions().size(), configuration.sources().size());
        for (final MirrorSession session : configuration.sessions())
        {
            out.printf("%nsession %s  number %d  VNI %d  packet length %s%n", session.id(), session.sessionNumber(),
                session.virtualNetworkId().getAsInt(), packetLength(configuration, session));
            out.printf("  source %s -> target %s (%s)%n", session.networkInterfaceId(), session.targetId(),
                configuration.target(session.targetId())
                    .map(t -> t.type() + " " + t.resourceId() + ", MTU " + t.mtu()).orElse("?"));
            final MirrorFilter filter = configuration.filter(session.filterId()).orElseThrow();
            out.printf("  filter %s  network services %s%n", filter.id(), filter.networkServices());
            for (final TrafficDirection direction : TrafficDirection.values())
            {
                out.printf("  %s rules:%n", direction);
                if (filter.rules(direction).isEmpty())
                {
                    out.println("    (none: nothing is mirrored in this direction)");
                }
                for (final FilterRule rule : filter.rules(direction))
                {
                    out.printf("    %5d %-6s proto %-3s %s%s -> %s%s%n", rule.ruleNumber(), rule.action(),
                        rule.protocol().isPresent() ? String.valueOf(rule.protocol().getAsInt()) : "any",
                        rule.sourceCidrBlock(), rule.sourcePortRange().map(p -> " port " + p).orElse(""),
                        rule.destinationCidrBlock(), rule.destinationPortRange().map(p -> " port " + p).orElse(""));
                }
            }
        }
    }
}
