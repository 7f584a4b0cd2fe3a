package io.trafficmirror.filter.match;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.util.ArrayList;
import java.util.List;

/**
 * The filter semantics of docs/semantics.md ("Filter rules", "Rule evaluation", "Exclusions and Amazon DNS")
 * written as plainly as possible, one rule after another, as the truth that {@link CompiledFilter} is tested
 * against and the baseline it is benchmarked against. Not for production: its cost grows linearly with the rule
 * count and it allocates nothing only by accident.
 *
 * <p>It reads packets through the production {@link PacketHeaders}: that parser is checked field by field
 * against Pcap4J on its own, so sharing it here isolates the matching logic, and the end-to-end path (parse and
 * match) is checked separately against libpcap's BPF compiler. Everything else here is independent of
 * {@link CompiledFilter}: special addresses are parsed from their text, rules are tried one by one.
 */
public final class ReferenceEvaluator
{
    private static final List<Cidr> EXCLUDED_ADDRESSES = List.of(
        Cidr.parse("169.254.169.254/32"), Cidr.parse("fd00:ec2::254/128"),   // instance metadata
        Cidr.parse("169.254.169.123/32"), Cidr.parse("fd00:ec2::123/128"),   // Amazon Time Sync
        Cidr.parse("169.254.169.250/32"), Cidr.parse("169.254.169.251/32")); // Windows activation

    private final MirrorFilter filter;
    private final boolean awsExclusions;
    private final List<Cidr> resolvers = new ArrayList<>();

    /**
     * @param filter the filter to evaluate
     * @param options VPC blocks and the AWS exclusions switch
     */
    public ReferenceEvaluator(final MirrorFilter filter, final MatchOptions options)
    {
        this.filter = filter;
        this.awsExclusions = options.awsExclusions();
        resolvers.add(Cidr.parse("169.254.169.253/32"));
        resolvers.add(Cidr.parse("fd00:ec2::253/128"));
        options.primaryIpv4Block().ifPresent(block ->
        {
            final long resolver = block.low() + 2;
            resolvers.add(Cidr.parse(((resolver >>> 24) & 0xFF) + "." + ((resolver >>> 16) & 0xFF) + "."
                + ((resolver >>> 8) & 0xFF) + "." + (resolver & 0xFF) + "/32"));
        });
    }

    /**
     * @param packet a parsed packet
     * @param direction its direction relative to the source interface
     * @return a packed {@link Verdict}, the same encoding {@link CompiledFilter#match} returns
     */
    public int evaluate(final PacketHeaders packet, final TrafficDirection direction)
    {
        final boolean isIp =
            packet.etherType() == PacketHeaders.ETHERTYPE_IPV4 || packet.etherType() == PacketHeaders.ETHERTYPE_IPV6;
        if (awsExclusions)
        {
            if (!isIp)
            {
                return Verdict.of(Verdict.REASON_AWS_EXCLUDED, 0);
            }
            for (final Cidr excluded : EXCLUDED_ADDRESSES)
            {
                if (hasAddressIn(packet, excluded))
                {
                    return Verdict.of(Verdict.REASON_AWS_EXCLUDED, 0);
                }
            }
            final boolean dhcp = packet.protocol() == 17 && packet.hasPorts()
                && (packet.sourcePort() == 67 || packet.sourcePort() == 68
                || packet.destinationPort() == 67 || packet.destinationPort() == 68);
            if (dhcp)
            {
                return Verdict.of(Verdict.REASON_AWS_EXCLUDED, 0);
            }
        }

        final boolean dnsPort = packet.hasPorts() && (packet.sourcePort() == 53 || packet.destinationPort() == 53);
        if (dnsPort)
        {
            for (final Cidr resolver : resolvers)
            {
                if (hasAddressIn(packet, resolver))
                {
                    return filter.hasNetworkService(NetworkService.AMAZON_DNS) ?
                        Verdict.of(Verdict.REASON_AMAZON_DNS_MIRRORED, 0) : Verdict.of(Verdict.REASON_AMAZON_DNS_NOT_ENABLED, 0);
                }
            }
        }

        if (packet.ipVersion() == 0)
        {
            return Verdict.of(Verdict.REASON_NO_IP_ADDRESSES, 0);
        }
        for (final FilterRule rule : filter.rules(direction))
        {
            if (matches(rule, packet))
            {
                return Verdict.of(
                    rule.action() == RuleAction.ACCEPT ? Verdict.REASON_RULE_ACCEPTED : Verdict.REASON_RULE_REJECTED,
                    rule.ruleNumber());
            }
        }
        return Verdict.of(Verdict.REASON_NO_RULE_MATCHED, 0);
    }

    private static boolean matches(final FilterRule rule, final PacketHeaders packet)
    {
        if (rule.isIpv4() != (packet.ipVersion() == 4))
        {
            return false;
        }
        if (rule.protocol().isPresent() && rule.protocol().getAsInt() != packet.protocol())
        {
            return false;
        }
        if (!contains(rule.sourceCidrBlock(), packet, true) || !contains(rule.destinationCidrBlock(), packet, false))
        {
            return false;
        }
        if (rule.sourcePortRange().isPresent()
            && (!packet.hasPorts() || !rule.sourcePortRange().get().contains(packet.sourcePort())))
        {
            return false;
        }
        return rule.destinationPortRange().isEmpty()
            || (packet.hasPorts() && rule.destinationPortRange().get().contains(packet.destinationPort()));
    }

    private static boolean hasAddressIn(final PacketHeaders packet, final Cidr block)
    {
        return contains(block, packet, true) || contains(block, packet, false);
    }

    private static boolean contains(final Cidr block, final PacketHeaders packet, final boolean source)
    {
        if (packet.ipVersion() == 4)
        {
            return block.containsIpv4(source ? packet.sourceIpv4() : packet.destinationIpv4());
        }
        if (packet.ipVersion() == 6)
        {
            return source ? block.containsIpv6(packet.sourceIpv6High(), packet.sourceIpv6Low())
                : block.containsIpv6(packet.destinationIpv6High(), packet.destinationIpv6Low());
        }
        return false;
    }
}
