package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --config} given several times, and Terraform plans and states as configuration, through the command line:
 * the getting-started scenario written as {@code terraform show -json} prints (the target in the child module
 * {@code module.analysis}), with its interfaces in {@code interfaces.json}.
 */
class TerraformConfigCommandTest
{
    private static final Path TERRAFORM = Path.of("src", "test", "resources", "terraform");
    private static final String STATE = TERRAFORM.resolve("getting-started-state.json").toString();
    private static final String PLAN = TERRAFORM.resolve("getting-started-plan.json").toString();
    private static final String INTERFACES = TERRAFORM.resolve("interfaces.json").toString();

    /** The ids the plan gives the objects it creates, their addresses, in place of the scenario's. */
    private static final Map<String, String> PLANNED_IDS = Map.ofEntries(
        Map.entry("tmf-04812ff784b25ae67", "aws_ec2_traffic_mirror_filter.getting_started"),
        Map.entry("tmfr-0ab1c2d3e4f500101", "aws_ec2_traffic_mirror_filter_rule.ssh_in_v4"),
        Map.entry("tmfr-0ab1c2d3e4f500102", "aws_ec2_traffic_mirror_filter_rule.ssh_in_v6"),
        Map.entry("tmfr-0ab1c2d3e4f500201", "aws_ec2_traffic_mirror_filter_rule.rest_in_v4"),
        Map.entry("tmfr-0ab1c2d3e4f500202", "aws_ec2_traffic_mirror_filter_rule.rest_in_v6"),
        Map.entry("tmfr-0ab1c2d3e4f500301", "aws_ec2_traffic_mirror_filter_rule.ssh_out_v4"),
        Map.entry("tmfr-0ab1c2d3e4f500302", "aws_ec2_traffic_mirror_filter_rule.ssh_out_v6"),
        Map.entry("tmfr-0ab1c2d3e4f500401", "aws_ec2_traffic_mirror_filter_rule.rest_out_v4"),
        Map.entry("tmfr-0ab1c2d3e4f500402", "aws_ec2_traffic_mirror_filter_rule.rest_out_v6"),
        Map.entry("tmt-09e4f63ab1c7d2e45", "module.analysis.aws_ec2_traffic_mirror_target.analyzer"),
        Map.entry("tms-0c8f2e5b6a7d90123", "aws_ec2_traffic_mirror_session.web"));

    @Test
    void shouldValidateAPlanBeforeApplyWithTheInterfacesOfAnotherFile()
    {
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("validate", "--config", PLAN, "--config", INTERFACES)).isZero();

        assertThat(cli.out.toString())
            .contains("valid (1 target(s), 1 filter(s), 1 session(s), 2 network interface(s))")
            .contains("session aws_ec2_traffic_mirror_session.web  number 1  VNI 5569041  packet length 8500 bytes")
            .contains("100 reject proto 6   0.0.0.0/0 -> 0.0.0.0/0 port 22-22");
        assertThat(cli.err.toString()).isEmpty();
    }

    @Test
    void shouldExplainAStateAsTheEquivalentAwsJson(@TempDir final Path dir) throws Exception
    {
        final Path capture = dir.resolve("instance.pcap");
        Pcap.write(capture, MirroredTraffic.instanceFrames());

        final String fromAws = explain("--config", "getting-started.json", "--pcap", capture.toString());
        final String fromState = explain("--config", STATE, "--config", INTERFACES, "--pcap", capture.toString());

        assertThat(fromState).isEqualTo(fromAws);
        assertThat(fromAws.lines()).hasSizeGreaterThan(1).anyMatch(row -> row.contains(",tms-0c8f2e5b6a7d90123,"));
    }

    @Test
    void shouldExplainAPlanAsTheAwsJsonWithItsAddressesForIds(@TempDir final Path dir) throws Exception
    {
        final Path capture = dir.resolve("instance.pcap");
        Pcap.write(capture, MirroredTraffic.instanceFrames());
        String planned = Files.readString(Path.of("getting-started.json"));
        for (final Map.Entry<String, String> id : PLANNED_IDS.entrySet())
        {
            planned = planned.replace('"' + id.getKey() + '"', '"' + id.getValue() + '"');
        }
        final Path aws = dir.resolve("planned.json");
        Files.writeString(aws, planned);

        final String fromAws = explain("--config", aws.toString(), "--pcap", capture.toString());
        final String fromPlan = explain("--config", INTERFACES, "--config", PLAN, "--pcap", capture.toString());

        assertThat(fromPlan).isEqualTo(fromAws);
        assertThat(fromPlan.lines()).anyMatch(row -> row.contains(",aws_ec2_traffic_mirror_session.web,"));
    }

    @Test
    void shouldNameTheFileAndResourceAddressOfAProblem(@TempDir final Path dir) throws Exception
    {
        final Path plan = dir.resolve("plan.json");
        // In planned_values and in resource_changes, where the plan is read from; rule 100 of both directions.
        Files.writeString(plan, Files.readString(Path.of(PLAN)).replace("\"rule_number\": 100,", "\"rule_number\": 0,"));
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("validate", "--config", plan.toString(), "--config", INTERFACES)).isEqualTo(1);

        assertThat(cli.err.toString()).isEqualTo(
            "mirror validate: " + plan + ", " + INTERFACES + ": 2 problem(s)" + System.lineSeparator() +
            "  [InvalidParameterValue] " + plan + ":aws_ec2_traffic_mirror_filter_rule.ssh_in_v4.rule_number = 0; " +
            "allowed: 1..32766" + System.lineSeparator() +
            "  [InvalidParameterValue] " + plan + ":aws_ec2_traffic_mirror_filter_rule.ssh_out_v4.rule_number = 0; " +
            "allowed: 1..32766" + System.lineSeparator());
    }

    @Test
    void shouldRefuseAnIdDefinedInTwoFiles()
    {
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("validate", "--config", "getting-started.json", "--config", STATE)).isEqualTo(1);

        assertThat(cli.err.toString())
            .contains("mirror validate: getting-started.json, " + STATE + ": 3 problem(s)")
            .contains("  tmt-09e4f63ab1c7d2e45: " + STATE + ":module.analysis.aws_ec2_traffic_mirror_target.analyzer.id" +
                " = \"tmt-09e4f63ab1c7d2e45\"; allowed: an id that one document defines " +
                "(getting-started.json:TrafficMirrorTargets[0] has it)");
    }

    @Test
    void shouldReportAMissingOneOfSeveralFilesAsABadArgument()
    {
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("validate", "--config", PLAN, "--config", "no-such-interfaces.json")).isEqualTo(2);

        assertThat(cli.err.toString()).isEqualTo("mirror validate: no such file: no-such-interfaces.json" +
            System.lineSeparator());
    }

    private static String explain(final String... args)
    {
        final CliRunner cli = new CliRunner();
        final String[] command = new String[args.length + 1];
        command[0] = "explain";
        System.arraycopy(args, 0, command, 1, args.length);
        assertThat(cli.run(command)).isZero();
        assertThat(cli.err.toString()).isEmpty();
        return cli.out.toString();
    }
}
