package io.trafficmirror.filter.match;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.vxlan.packet.ParseResult;

import java.util.List;
import java.util.Objects;

/**
 * A {@link MirrorFilter} compiled for matching packets: per direction and IP family, a {@link RuleClassifier}
 * whose cost per packet barely grows with the rule count, plus the AWS exclusions and Amazon DNS checks.
 *
 * <p>Evaluation order (docs/semantics.md, "Rule evaluation"): the AWS exclusions when switched on; then Amazon DNS
 * traffic, mirrored without consulting rules exactly when the filter has {@code amazon-dns}; then the rules of the
 * packet's direction in rule-number order, first match deciding. A packet no rule matches is not mirrored.
 *
 * <p>Immutable and thread-safe: recompile on any change and publish the new instance with one volatile
 * write (or any other safe publication); every field is final, so readers need no locks.
 * {@link #match} allocates nothing and never throws for any parse result.
 */
public final class CompiledFilter
{
    private final MirrorFilter filter;
    private final MatchOptions options;
    private final boolean awsExclusions;
    private final boolean amazonDns;
    private final int vpcResolver;
    private final RuleClassifier ingressIpv4;
    private final RuleClassifier ingressIpv6;
    private final RuleClassifier egressIpv4;
    private final RuleClassifier egressIpv6;

    private CompiledFilter(final MirrorFilter filter, final MatchOptions options)
    {
        this.filter = filter;
        this.options = options;
        this.awsExclusions = options.awsExclusions();
        this.amazonDns = filter.hasNetworkService(NetworkService.AMAZON_DNS);
        this.vpcResolver = vpcResolver(options);
        final List<MirrorFilter> one = List.of(filter);
        final int searchSteps = RuleClassifier.searchSteps(Math.max(filter.ingressRules().size(), filter.egressRules().size()));
        this.ingressIpv4 = RuleClassifier.of(one, TrafficDirection.INGRESS, true, searchSteps);
        this.ingressIpv6 = RuleClassifier.of(one, TrafficDirection.INGRESS, false, searchSteps);
        this.egressIpv4 = RuleClassifier.of(one, TrafficDirection.EGRESS, true, searchSteps);
        this.egressIpv6 = RuleClassifier.of(one, TrafficDirection.EGRESS, false, searchSteps);
    }

    /**
     * Compiles a filter. Costs time and memory proportional to rules times boundaries; do it off the packet path.
     *
     * @param filter the filter
     * @param options the source's VPC blocks and the AWS exclusions switch
     * @return the compiled filter
     */
    public static CompiledFilter compile(final MirrorFilter filter, final MatchOptions options)
    {
        return new CompiledFilter(Objects.requireNonNull(filter, "filter"), Objects.requireNonNull(options, "options"));
    }

    /** @return the VPC resolver (primary IPv4 block base + 2), or the fixed resolver when no block is known */
    static int vpcResolver(final MatchOptions options)
    {
        return options.primaryIpv4Block().map(block -> block.ipv4Address() + 2).orElse(SpecialTraffic.DNS_V4);
    }

    /** @return the filter this was compiled from */
    public MirrorFilter filter()
    {
        return filter;
    }

    /** @return the options this was compiled with */
    public MatchOptions options()
    {
        return options;
    }

    /**
     * Decides whether a packet is mirrored. Allocation-free; safe from any number of threads at once.
     *
     * @param headers the packet, parsed by {@link PacketHeaders}; any {@link ParseResult} is accepted
     * @param direction the packet's direction relative to the source interface
     * @return a packed {@link Verdict}
     */
    public int match(final PacketHeaders headers, final TrafficDirection direction)
    {
        if (awsExclusions && SpecialTraffic.isAwsExcluded(headers))
        {
            return Verdict.of(Verdict.REASON_AWS_EXCLUDED, 0);
        }
        if (SpecialTraffic.isAmazonDns(headers, vpcResolver))
        {
            return Verdict.of(amazonDns ? Verdict.REASON_AMAZON_DNS_MIRRORED : Verdict.REASON_AMAZON_DNS_NOT_ENABLED, 0);
        }
        if (headers.ipVersion() == 0)
        {
            return Verdict.of(Verdict.REASON_NO_IP_ADDRESSES, 0);
        }
        return classifier(direction, headers.ipVersion()).match(headers);
    }

    private RuleClassifier classifier(final TrafficDirection direction, final int version)
    {
        if (direction == TrafficDirection.INGRESS)
        {
            return version == 4 ? ingressIpv4 : ingressIpv6;
        }
        return version == 4 ? egressIpv4 : egressIpv6;
    }

    /**
     * Says in words why {@link #match} decides as it does, for logs and troubleshooting. Allocates.
     *
     * @param headers the parsed packet
     * @param direction its direction
     * @return the verdict, the deciding rule in full when one decided, and the packet's fields
     */
    public String explain(final PacketHeaders headers, final TrafficDirection direction)
    {
        final int verdict = match(headers, direction);
        final StringBuilder text = new StringBuilder();
        text.append(direction).append(' ').append(describe(headers)).append(": ").append(Verdict.toString(verdict));
        switch (Verdict.reason(verdict))
        {
            case Verdict.REASON_RULE_ACCEPTED, Verdict.REASON_RULE_REJECTED ->
            {
                final RuleClassifier classifier = classifier(direction, headers.ipVersion());
                text.append(", ").append(classifier.rule(classifier.firstMatch(headers)));
            }
            case Verdict.REASON_NO_RULE_MATCHED -> text.append(" among ")
                .append(filter.rules(direction).stream().filter(rule -> rule.isIpv4() == (headers.ipVersion() == 4)).count())
                .append(headers.ipVersion() == 4 ? " IPv4 " : " IPv6 ").append(direction).append(" rules")
                .append(headers.hasPorts() || !headers.isFragment() ? "" : " (a fragment without ports matches no port range)");
            case Verdict.REASON_AWS_EXCLUDED -> text.append(" (ARP and other non-IP frames, DHCP, instance metadata, ")
                .append("Amazon Time Sync, Windows activation)");
            case Verdict.REASON_AMAZON_DNS_MIRRORED, Verdict.REASON_AMAZON_DNS_NOT_ENABLED -> text
                .append(" (port 53 to or from a resolver: ")
                .append(Cidr.parse(ipv4Text(vpcResolver) + "/32")).append(", 169.254.169.253/32, fd00:ec2::253/128)");
            default -> text.append(" (parse result ").append(ParseResult.name(headers.result())).append(')');
        }
        return text.toString();
    }

    private static String describe(final PacketHeaders headers)
    {
        final StringBuilder text = new StringBuilder();
        if (headers.ipVersion() == 4)
        {
            text.append("IPv4 ").append(ipv4Text(headers.sourceIpv4()))
                .append(" -> ").append(ipv4Text(headers.destinationIpv4()));
        }
        else if (headers.ipVersion() == 6)
        {
            text.append("IPv6 ").append(ipv6Text(headers.sourceIpv6High(), headers.sourceIpv6Low()))
                .append(" -> ").append(ipv6Text(headers.destinationIpv6High(), headers.destinationIpv6Low()));
        }
        else
        {
            text.append("EtherType 0x").append(Integer.toHexString(headers.etherType()));
        }
        if (headers.ipVersion() != 0)
        {
            text.append(" protocol ").append(headers.protocol());
            if (headers.hasPorts())
            {
                text.append(" ports ").append(headers.sourcePort()).append(" -> ").append(headers.destinationPort());
            }
            if (headers.isFragment())
            {
                text.append(" fragment at ").append(headers.fragmentOffset());
            }
        }
        return text.toString();
    }

    private static String ipv4Text(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    private static String ipv6Text(final long high, final long low)
    {
        final StringBuilder text = new StringBuilder();
        for (int group = 0; group < 8; group++)
        {
            final long half = group < 4 ? high : low;
            text.append(group == 0 ? "" : ":").append(Long.toHexString((half >>> (48 - 16 * (group & 3))) & 0xFFFF));
        }
        return text.toString();
    }

    @Override
    public String toString()
    {
        return "CompiledFilter{" + filter.id() + ", " + options + '}';
    }
}
