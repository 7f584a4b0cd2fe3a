package io.trafficmirror.core.config.json;

/**
 * JSON documents shaped like real AWS CLI output.
 */
final class Documents
{
    /**
     * The outputs of {@code aws ec2 describe-traffic-mirror-filters}, {@code -sessions}, {@code -targets},
     * {@code describe-network-interfaces} and {@code describe-vpcs}, merged with {@code jq -s add}: every member the
     * CLI prints is there, including the ones the library does not use.
     */
    static final String AWS_CLI_OUTPUT = """
        {
          "TrafficMirrorFilters": [
            {
              "TrafficMirrorFilterId": "tmf-07f2ce4581EXAMPLE",
              "IngressFilterRules": [
                {
                  "TrafficMirrorFilterRuleId": "tmfr-0ca76e0e08EXAMPLE",
                  "TrafficMirrorFilterId": "tmf-07f2ce4581EXAMPLE",
                  "TrafficDirection": "ingress",
                  "RuleNumber": 100,
                  "RuleAction": "accept",
                  "Protocol": 6,
                  "DestinationPortRange": { "FromPort": 22, "ToPort": 22 },
                  "DestinationCidrBlock": "10.0.0.0/24",
                  "SourceCidrBlock": "10.0.0.0/24",
                  "Description": "TCP Rule"
                }
              ],
              "EgressFilterRules": [],
              "NetworkServices": [],
              "Description": "Example filter",
              "Tags": [ { "Key": "Name", "Value": "example" } ]
            }
          ],
          "TrafficMirrorSessions": [
            {
              "TrafficMirrorSessionId": "tms-0af3141ce5EXAMPLE",
              "TrafficMirrorTargetId": "tmt-0dabe9b0a6EXAMPLE",
              "TrafficMirrorFilterId": "tmf-07f2ce4581EXAMPLE",
              "NetworkInterfaceId": "eni-0a471a5cf3EXAMPLE",
              "OwnerId": "111122223333",
              "PacketLength": 25,
              "SessionNumber": 1,
              "VirtualNetworkId": 7159709,
              "Description": "Example session",
              "Tags": []
            }
          ],
          "TrafficMirrorTargets": [
            {
              "TrafficMirrorTargetId": "tmt-0dabe9b0a6EXAMPLE",
              "NetworkInterfaceId": "eni-0fd4e2b0a3EXAMPLE",
              "Type": "network-interface",
              "Description": "Example target",
              "OwnerId": "111122223333",
              "Tags": []
            }
          ],
          "NetworkInterfaces": [
            {
              "Association": { "IpOwnerId": "amazon", "PublicDnsName": "", "PublicIp": "203.0.113.12" },
              "Attachment": {
                "AttachTime": "2024-05-01T10:00:00+00:00",
                "AttachmentId": "eni-attach-0b3a9f4e77EXAMPLE",
                "DeleteOnTermination": true,
                "DeviceIndex": 0,
                "Status": "attached"
              },
              "AvailabilityZone": "us-east-1a",
              "Description": "",
              "Groups": [ { "GroupName": "default", "GroupId": "sg-0b1e3a9d2cEXAMPLE" } ],
              "InterfaceType": "interface",
              "Ipv6Addresses": [ { "Ipv6Address": "2600:1f18:1234:ab01::10" } ],
              "MacAddress": "0E:1A:2B:3C:4D:5E",
              "NetworkInterfaceId": "eni-0a471a5cf3EXAMPLE",
              "OwnerId": "111122223333",
              "PrivateDnsName": "ip-10-0-0-10.ec2.internal",
              "PrivateIpAddress": "10.0.0.10",
              "PrivateIpAddresses": [
                { "Primary": true, "PrivateDnsName": "ip-10-0-0-10.ec2.internal", "PrivateIpAddress": "10.0.0.10" },
                { "Primary": false, "PrivateDnsName": "ip-10-0-0-11.ec2.internal", "PrivateIpAddress": "10.0.0.11" }
              ],
              "RequesterManaged": false,
              "SourceDestCheck": true,
              "Status": "in-use",
              "SubnetId": "subnet-0e4b8a6d1fEXAMPLE",
              "TagSet": [],
              "VpcId": "vpc-0b6e9d1a3cEXAMPLE"
            }
          ],
          "Vpcs": [
            {
              "CidrBlock": "10.0.0.0/16",
              "DhcpOptionsId": "dopt-19edf471",
              "State": "available",
              "VpcId": "vpc-0b6e9d1a3cEXAMPLE",
              "OwnerId": "111122223333",
              "InstanceTenancy": "default",
              "Ipv6CidrBlockAssociationSet": [
                {
                  "AssociationId": "vpc-cidr-assoc-0a3f2d1e6bEXAMPLE",
                  "Ipv6CidrBlock": "2600:1f18:1234:ab00::/56",
                  "Ipv6CidrBlockState": { "State": "associated" },
                  "NetworkBorderGroup": "us-east-1",
                  "Ipv6Pool": "Amazon"
                }
              ],
              "CidrBlockAssociationSet": [
                {
                  "AssociationId": "vpc-cidr-assoc-0d7c1b8f5eEXAMPLE",
                  "CidrBlock": "10.0.0.0/16",
                  "CidrBlockState": { "State": "associated" }
                },
                {
                  "AssociationId": "vpc-cidr-assoc-0e8d2c9a6fEXAMPLE",
                  "CidrBlock": "10.1.0.0/16",
                  "CidrBlockState": { "State": "associated" }
                },
                {
                  "AssociationId": "vpc-cidr-assoc-0f9e3dab7aEXAMPLE",
                  "CidrBlock": "10.2.0.0/16",
                  "CidrBlockState": { "State": "disassociated" }
                }
              ],
              "IsDefault": false,
              "Tags": [ { "Key": "Name", "Value": "example-vpc" } ]
            }
          ]
        }
        """;

    /**
     * The output of {@code aws ec2 describe-traffic-mirror-filter-rules --traffic-mirror-filter-id tmf-07f2ce4581EXAMPLE}
     * for the filter of {@link #AWS_CLI_OUTPUT}: its ingress rule 100 exactly as {@code describe-traffic-mirror-filters}
     * prints it, and two rules that listing does not show. Each rule names its filter and direction and carries tags.
     */
    static final String FILTER_RULES_OUTPUT = """
        {
          "TrafficMirrorFilterRules": [
            {
              "TrafficMirrorFilterRuleId": "tmfr-0ca76e0e08EXAMPLE",
              "TrafficMirrorFilterId": "tmf-07f2ce4581EXAMPLE",
              "TrafficDirection": "ingress",
              "RuleNumber": 100,
              "RuleAction": "accept",
              "Protocol": 6,
              "DestinationPortRange": { "FromPort": 22, "ToPort": 22 },
              "DestinationCidrBlock": "10.0.0.0/24",
              "SourceCidrBlock": "10.0.0.0/24",
              "Description": "TCP Rule",
              "Tags": []
            },
            {
              "TrafficMirrorFilterRuleId": "tmfr-0d2b8c4f19EXAMPLE",
              "TrafficMirrorFilterId": "tmf-07f2ce4581EXAMPLE",
              "TrafficDirection": "ingress",
              "RuleNumber": 200,
              "RuleAction": "reject",
              "DestinationCidrBlock": "0.0.0.0/0",
              "SourceCidrBlock": "0.0.0.0/0",
              "Tags": [ { "Key": "Name", "Value": "reject-the-rest" } ]
            },
            {
              "TrafficMirrorFilterRuleId": "tmfr-0e3c9d5a2aEXAMPLE",
              "TrafficMirrorFilterId": "tmf-07f2ce4581EXAMPLE",
              "TrafficDirection": "egress",
              "RuleNumber": 100,
              "RuleAction": "accept",
              "Protocol": 17,
              "SourcePortRange": { "FromPort": 53, "ToPort": 53 },
              "DestinationCidrBlock": "0.0.0.0/0",
              "SourceCidrBlock": "10.0.0.0/16",
              "Description": "DNS answers",
              "Tags": []
            }
          ]
        }
        """;

    private Documents()
    {
    }

    /**
     * Merges JSON objects whose top-level members differ, as {@code jq -s add} does.
     *
     * @param documents objects, each as text.
     * @return one object with every member of each.
     */
    static String jqAdd(final String... documents)
    {
        final StringBuilder merged = new StringBuilder("{");
        for (final String document : documents)
        {
            final String body = document.strip();
            if (merged.length() > 1)
            {
                merged.append(',');
            }
            merged.append(body, 1, body.length() - 1);
        }
        return merged.append('}').toString();
    }
}
