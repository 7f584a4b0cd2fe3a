package io.trafficmirror.core.config.json;

/**
 * The JSON member names of the AWS CLI's describe outputs, shared by reader and writer so the two cannot drift.
 */
final class Fields
{
    static final String FILTERS = "TrafficMirrorFilters";
    static final String FILTER_RULES = "TrafficMirrorFilterRules";
    static final String SESSIONS = "TrafficMirrorSessions";
    static final String TARGETS = "TrafficMirrorTargets";
    static final String NETWORK_INTERFACES = "NetworkInterfaces";
    static final String VPCS = "Vpcs";

    static final String FILTER_ID = "TrafficMirrorFilterId";
    static final String INGRESS_RULES = "IngressFilterRules";
    static final String EGRESS_RULES = "EgressFilterRules";
    static final String NETWORK_SERVICES = "NetworkServices";
    static final String DESCRIPTION = "Description";

    static final String RULE_ID = "TrafficMirrorFilterRuleId";
    static final String DIRECTION = "TrafficDirection";
    static final String RULE_NUMBER = "RuleNumber";
    static final String RULE_ACTION = "RuleAction";
    static final String PROTOCOL = "Protocol";
    static final String SOURCE_PORT_RANGE = "SourcePortRange";
    static final String DESTINATION_PORT_RANGE = "DestinationPortRange";
    static final String FROM_PORT = "FromPort";
    static final String TO_PORT = "ToPort";
    static final String SOURCE_CIDR = "SourceCidrBlock";
    static final String DESTINATION_CIDR = "DestinationCidrBlock";

    static final String SESSION_ID = "TrafficMirrorSessionId";
    static final String TARGET_ID = "TrafficMirrorTargetId";
    static final String NETWORK_INTERFACE_ID = "NetworkInterfaceId";
    static final String SESSION_NUMBER = "SessionNumber";
    static final String VNI = "VirtualNetworkId";
    static final String PACKET_LENGTH = "PacketLength";

    static final String TYPE = "Type";
    /** Not an EC2 field: the target's MTU, written only when it is not its type's default (9001, or 8500 for GWLB). */
    static final String MTU = "Mtu";

    static final String MAC_ADDRESS = "MacAddress";
    static final String PRIVATE_IP_ADDRESS = "PrivateIpAddress";
    static final String PRIVATE_IP_ADDRESSES = "PrivateIpAddresses";
    static final String PRIMARY = "Primary";
    static final String IPV6_ADDRESSES = "Ipv6Addresses";
    static final String IPV6_ADDRESS = "Ipv6Address";
    static final String VPC_ID = "VpcId";

    static final String CIDR_BLOCK = "CidrBlock";
    static final String CIDR_BLOCK_ASSOCIATIONS = "CidrBlockAssociationSet";
    static final String CIDR_BLOCK_STATE = "CidrBlockState";
    static final String IPV6_CIDR_BLOCK_ASSOCIATIONS = "Ipv6CidrBlockAssociationSet";
    static final String IPV6_CIDR_BLOCK = "Ipv6CidrBlock";
    static final String IPV6_CIDR_BLOCK_STATE = "Ipv6CidrBlockState";
    static final String STATE = "State";
    static final String ASSOCIATED = "associated";

    private Fields()
    {
    }
}
