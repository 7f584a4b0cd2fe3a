package io.trafficmirror.core.config.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.IpAddressText;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.PortRange;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.trafficmirror.core.config.json.Fields.ASSOCIATED;
import static io.trafficmirror.core.config.json.Fields.CIDR_BLOCK;
import static io.trafficmirror.core.config.json.Fields.CIDR_BLOCK_ASSOCIATIONS;
import static io.trafficmirror.core.config.json.Fields.CIDR_BLOCK_STATE;
import static io.trafficmirror.core.config.json.Fields.DESCRIPTION;
import static io.trafficmirror.core.config.json.Fields.DESTINATION_CIDR;
import static io.trafficmirror.core.config.json.Fields.DESTINATION_PORT_RANGE;
import static io.trafficmirror.core.config.json.Fields.DIRECTION;
import static io.trafficmirror.core.config.json.Fields.EGRESS_RULES;
import static io.trafficmirror.core.config.json.Fields.FILTERS;
import static io.trafficmirror.core.config.json.Fields.FILTER_ID;
import static io.trafficmirror.core.config.json.Fields.FROM_PORT;
import static io.trafficmirror.core.config.json.Fields.INGRESS_RULES;
import static io.trafficmirror.core.config.json.Fields.IPV6_ADDRESS;
import static io.trafficmirror.core.config.json.Fields.IPV6_ADDRESSES;
import static io.trafficmirror.core.config.json.Fields.IPV6_CIDR_BLOCK;
import static io.trafficmirror.core.config.json.Fields.IPV6_CIDR_BLOCK_ASSOCIATIONS;
import static io.trafficmirror.core.config.json.Fields.IPV6_CIDR_BLOCK_STATE;
import static io.trafficmirror.core.config.json.Fields.MAC_ADDRESS;
import static io.trafficmirror.core.config.json.Fields.MTU;
import static io.trafficmirror.core.config.json.Fields.NETWORK_INTERFACES;
import static io.trafficmirror.core.config.json.Fields.NETWORK_INTERFACE_ID;
import static io.trafficmirror.core.config.json.Fields.NETWORK_SERVICES;
import static io.trafficmirror.core.config.json.Fields.PACKET_LENGTH;
import static io.trafficmirror.core.config.json.Fields.PRIMARY;
import static io.trafficmirror.core.config.json.Fields.PRIVATE_IP_ADDRESS;
import static io.trafficmirror.core.config.json.Fields.PRIVATE_IP_ADDRESSES;
import static io.trafficmirror.core.config.json.Fields.PROTOCOL;
import static io.trafficmirror.core.config.json.Fields.RULE_ACTION;
import static io.trafficmirror.core.config.json.Fields.RULE_ID;
import static io.trafficmirror.core.config.json.Fields.RULE_NUMBER;
import static io.trafficmirror.core.config.json.Fields.SESSIONS;
import static io.trafficmirror.core.config.json.Fields.SESSION_ID;
import static io.trafficmirror.core.config.json.Fields.SESSION_NUMBER;
import static io.trafficmirror.core.config.json.Fields.SOURCE_CIDR;
import static io.trafficmirror.core.config.json.Fields.SOURCE_PORT_RANGE;
import static io.trafficmirror.core.config.json.Fields.STATE;
import static io.trafficmirror.core.config.json.Fields.TARGETS;
import static io.trafficmirror.core.config.json.Fields.TARGET_ID;
import static io.trafficmirror.core.config.json.Fields.TO_PORT;
import static io.trafficmirror.core.config.json.Fields.TYPE;
import static io.trafficmirror.core.config.json.Fields.VNI;
import static io.trafficmirror.core.config.json.Fields.VPCS;
import static io.trafficmirror.core.config.json.Fields.VPC_ID;

/**
 * Turns a configuration into the JSON tree of the AWS describe outputs; optional fields that are absent are
 * left out, as the AWS CLI leaves them out.
 */
final class AwsJsonWriter
{
    private final ObjectMapper mapper;

    AwsJsonWriter(final ObjectMapper mapper)
    {
        this.mapper = mapper;
    }

    ObjectNode write(final MirrorConfiguration configuration)
    {
        final ObjectNode root = mapper.createObjectNode();
        final ArrayNode filters = root.putArray(FILTERS);
        configuration.filters().forEach(filter -> writeFilter(filters.addObject(), filter));
        final ArrayNode sessions = root.putArray(SESSIONS);
        configuration.sessions().forEach(session -> writeSession(sessions.addObject(), session));
        final ArrayNode targets = root.putArray(TARGETS);
        configuration.targets().forEach(target -> writeTarget(targets.addObject(), target));
        final ArrayNode interfaces = root.putArray(NETWORK_INTERFACES);
        configuration.sources().forEach(source -> writeSource(interfaces.addObject(), source));
        final ArrayNode vpcs = root.putArray(VPCS);
        final Set<String> written = new HashSet<>();
        for (final MirrorSource source : configuration.sources())
        {
            if (source.vpcId().isPresent() && !source.vpcCidrBlocks().isEmpty() && written.add(source.vpcId().get()))
            {
                writeVpc(vpcs.addObject(), source.vpcId().get(), source.vpcCidrBlocks());
            }
        }
        return root;
    }

    private static void writeFilter(final ObjectNode node, final MirrorFilter filter)
    {
        node.put(FILTER_ID, filter.id());
        final ArrayNode ingress = node.putArray(INGRESS_RULES);
        filter.ingressRules().forEach(rule -> writeRule(ingress.addObject(), filter.id(), rule));
        final ArrayNode egress = node.putArray(EGRESS_RULES);
        filter.egressRules().forEach(rule -> writeRule(egress.addObject(), filter.id(), rule));
        final ArrayNode services = node.putArray(NETWORK_SERVICES);
        filter.networkServices().stream().map(NetworkService::awsName).forEach(services::add);
        putIfPresent(node, DESCRIPTION, filter.description());
    }

    private static void writeRule(final ObjectNode node, final String filterId, final FilterRule rule)
    {
        putIfPresent(node, RULE_ID, rule.id());
        node.put(FILTER_ID, filterId);
        node.put(DIRECTION, rule.direction().awsName());
        node.put(RULE_NUMBER, rule.ruleNumber());
        node.put(RULE_ACTION, rule.action().awsName());
        rule.protocol().ifPresent(protocol -> node.put(PROTOCOL, protocol));
        rule.destinationPortRange().ifPresent(range -> writePorts(node.putObject(DESTINATION_PORT_RANGE), range));
        rule.sourcePortRange().ifPresent(range -> writePorts(node.putObject(SOURCE_PORT_RANGE), range));
        node.put(DESTINATION_CIDR, rule.destinationCidrBlock().toString());
        node.put(SOURCE_CIDR, rule.sourceCidrBlock().toString());
        putIfPresent(node, DESCRIPTION, rule.description());
    }

    private static void writePorts(final ObjectNode node, final PortRange range)
    {
        node.put(FROM_PORT, range.fromPort());
        node.put(TO_PORT, range.toPort());
    }

    private static void writeSession(final ObjectNode node, final MirrorSession session)
    {
        node.put(SESSION_ID, session.id());
        node.put(TARGET_ID, session.targetId());
        node.put(FILTER_ID, session.filterId());
        node.put(NETWORK_INTERFACE_ID, session.networkInterfaceId());
        session.packetLength().ifPresent(length -> node.put(PACKET_LENGTH, length));
        node.put(SESSION_NUMBER, session.sessionNumber());
        session.virtualNetworkId().ifPresent(vni -> node.put(VNI, vni));
        putIfPresent(node, DESCRIPTION, session.description());
    }

    private static void writeTarget(final ObjectNode node, final MirrorTarget target)
    {
        node.put(TARGET_ID, target.id());
        node.put(target.type().resourceField(), target.resourceId());
        node.put(TYPE, target.type().awsName());
        putIfPresent(node, DESCRIPTION, target.description());
        if (target.mtu() != target.type().defaultMtu())
        {
            node.put(MTU, target.mtu());
        }
    }

    private static void writeSource(final ObjectNode node, final MirrorSource source)
    {
        node.put(NETWORK_INTERFACE_ID, source.networkInterfaceId());
        putIfPresent(node, MAC_ADDRESS, source.macAddress());
        source.privateIpAddress().ifPresent(address -> node.put(PRIVATE_IP_ADDRESS, text(address)));
        final ArrayNode privateAddresses = node.putArray(PRIVATE_IP_ADDRESSES);
        for (final InetAddress address : source.privateIpAddresses())
        {
            final ObjectNode entry = privateAddresses.addObject();
            entry.put(PRIVATE_IP_ADDRESS, text(address));
            entry.put(PRIMARY, source.privateIpAddress().map(address::equals).orElse(false));
        }
        final ArrayNode ipv6Addresses = node.putArray(IPV6_ADDRESSES);
        source.ipv6Addresses().forEach(address -> ipv6Addresses.addObject().put(IPV6_ADDRESS, text(address)));
        putIfPresent(node, VPC_ID, source.vpcId());
    }

    private static void writeVpc(final ObjectNode node, final String vpcId, final List<Cidr> blocks)
    {
        node.put(VPC_ID, vpcId);
        blocks.stream().filter(Cidr::isIpv4).findFirst().ifPresent(primary -> node.put(CIDR_BLOCK, primary.toString()));
        final ArrayNode ipv4 = node.putArray(CIDR_BLOCK_ASSOCIATIONS);
        final ArrayNode ipv6 = node.putArray(IPV6_CIDR_BLOCK_ASSOCIATIONS);
        for (final Cidr block : blocks)
        {
            final ObjectNode association = (block.isIpv4() ? ipv4 : ipv6).addObject();
            association.put(block.isIpv4() ? CIDR_BLOCK : IPV6_CIDR_BLOCK, block.toString());
            association.putObject(block.isIpv4() ? CIDR_BLOCK_STATE : IPV6_CIDR_BLOCK_STATE).put(STATE, ASSOCIATED);
        }
    }

    private static void putIfPresent(final ObjectNode node, final String field, final Optional<String> value)
    {
        value.ifPresent(text -> node.put(field, text));
    }

    private static String text(final InetAddress address)
    {
        return IpAddressText.format(address);
    }
}
