using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Monitoring.Alerting.Routing;
using Monitoring.Alerting.Rules;
using Monitoring.Silo.Tests.Telemetry;
using Xunit;

namespace Monitoring.Silo.Tests.Deploy;

/// <summary>
/// The files in deploy/ hold together without a Kubernetes cluster or a Docker engine (neither runs here): every
/// manifest parses; names, labels, ports, probes, config maps and secret keys refer to things that exist; every
/// <c>Monitoring__*</c> variable names a real option; the rules and the alerting configuration in the ConfigMap load
/// with the silo's own parsers (and amtool); the Dockerfile copies every project the silo and the CLI build from.
/// </summary>
public sealed class DeployManifestTests
{
    private static readonly string Root = DocumentedMetrics.RepositoryRoot();
    private static readonly string K8s = Path.Combine(Root, "deploy", "k8s");

    private static readonly Lazy<List<Dictionary<string, object?>>> Manifests = new(() =>
        [.. Directory.GetFiles(K8s, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal).SelectMany(Yaml.LoadAll)]);

    private static Dictionary<string, object?> Single(string kind, string? name = null) =>
        Assert.Single(Manifests.Value, m => m.Text("kind") == kind && (name is null || m.Text("metadata", "name") == name));

    private static Dictionary<string, object?> Silo => Single("Deployment", "monitoring-silo");

    private static Dictionary<string, object?> Container => Assert.Single(Silo.Maps("spec", "template", "spec", "containers"));

    [Fact]
    public void Every_manifest_has_kind_version_and_name_and_the_kustomization_lists_every_file_but_the_secret_example()
    {
        Assert.NotEmpty(Manifests.Value);
        foreach (var m in Manifests.Value)
        {
            Assert.False(string.IsNullOrEmpty(m.Text("apiVersion")), "apiVersion missing");
            Assert.False(string.IsNullOrEmpty(m.Text("kind")), "kind missing");
            Assert.False(string.IsNullOrEmpty(m.Text("metadata", "name")), $"{m.Text("kind")} without metadata.name");
        }

        var kustomization = Assert.Single(Yaml.LoadAll(Path.Combine(K8s, "kustomization.yaml")));
        var listed = ((List<object?>)kustomization.At("resources")!).Cast<string>().Order(StringComparer.Ordinal).ToList();
        var files = Directory.GetFiles(K8s, "*.yaml").Select(f => Path.GetFileName(f)!).Where(f => f is not ("kustomization.yaml" or "secret.example.yaml")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, listed);
        Assert.Equal("monitoring", kustomization.Text("namespace"));
    }

    [Fact]
    public void The_deployment_meets_orleans_kubernetes_hosting_requirements()
    {
        var labels = Silo.Map("spec", "template", "metadata", "labels");
        Assert.False(string.IsNullOrEmpty(labels.GetValueOrDefault("orleans/serviceId") as string));
        Assert.False(string.IsNullOrEmpty(labels.GetValueOrDefault("orleans/clusterId") as string));
        var env = Container.Maps("env").ToDictionary(e => e.Text("name")!);
        Assert.Equal("metadata.name", env["POD_NAME"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("status.podIP", env["POD_IP"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.labels['orleans/serviceId']", env["ORLEANS_SERVICE_ID"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.labels['orleans/clusterId']", env["ORLEANS_CLUSTER_ID"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("true", env["Monitoring__Cluster__Kubernetes"].Text("value"));
        Assert.Equal("azure-table", env["Monitoring__Cluster__Mode"].Text("value"));
        Assert.Equal("postgres", env["Monitoring__Host__StorageProvider"].Text("value"));

        // The service account may watch and delete pods (the hosting package marks silos without a pod dead).
        var account = Silo.Text("spec", "template", "spec", "serviceAccountName");
        Single("ServiceAccount", account);
        var binding = Assert.Single(Manifests.Value, m => m.Text("kind") == "RoleBinding" && m.Maps("subjects").Any(s => s.Text("name") == account));
        var role = Single("Role", binding.Text("roleRef", "name"));
        var podRule = Assert.Single(role.Maps("rules"), r => ((List<object?>)r.At("resources")!).Contains("pods"));
        var verbs = ((List<object?>)podRule.At("verbs")!).Cast<string>().ToHashSet();
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "delete" }, verbs);
    }

    [Fact]
    public void Probes_hit_the_health_endpoints_on_the_api_port_and_the_pod_runs_as_non_root()
    {
        var ports = Container.Maps("ports").ToDictionary(p => p.Text("name")!, p => p.Text("containerPort"));
        Assert.Equal(
            new Dictionary<string, string?> { ["otlp-grpc"] = "4317", ["otlp-http"] = "4318", ["api"] = "8080", ["silo"] = "11111", ["gateway"] = "30000" },
            ports);
        Assert.Equal("/health/live", Container.Text("livenessProbe", "httpGet", "path"));
        Assert.Equal("/health/ready", Container.Text("readinessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", Container.Text("startupProbe", "httpGet", "path"));
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            Assert.Equal("api", Container.Text(probe, "httpGet", "port"));
        }

        Assert.Equal("true", Silo.Text("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", Silo.Text("spec", "template", "spec", "securityContext", "runAsUser"));
        Assert.Equal("false", Container.Text("securityContext", "allowPrivilegeEscalation"));
        Assert.True(int.Parse(Silo.Text("spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture) >= 3);
    }

    [Fact]
    public void Services_and_the_disruption_budget_select_the_silo_pods_and_target_declared_ports()
    {
        var podLabels = Silo.Map("spec", "template", "metadata", "labels");
        var portNames = Container.Maps("ports").Select(p => p.Text("name")).ToHashSet();
        var services = Manifests.Value.Where(m => m.Text("kind") == "Service").ToList();
        Assert.Equal(["monitoring-api", "monitoring-otlp"], services.Select(s => s.Text("metadata", "name")).Order(StringComparer.Ordinal));
        foreach (var service in services)
        {
            AssertSelects(service.Map("spec", "selector"), podLabels);
            foreach (var port in service.Maps("spec", "ports"))
            {
                Assert.Contains(port.Text("targetPort"), portNames);
            }
        }

        var otlpTargets = Single("Service", "monitoring-otlp").Maps("spec", "ports").Select(p => p.Text("targetPort")).ToHashSet();
        Assert.Equal(new HashSet<string?> { "otlp-grpc", "otlp-http" }, otlpTargets);
        var pdb = Single("PodDisruptionBudget");
        AssertSelects(pdb.Map("spec", "selector", "matchLabels"), podLabels);
        Assert.Equal("1", pdb.Text("spec", "maxUnavailable"));
        AssertSelects(Silo.Map("spec", "selector", "matchLabels"), podLabels);
    }

    [Fact]
    public void Volumes_config_maps_and_secret_keys_exist_and_file_options_point_into_mounts()
    {
        var spec = Silo.Map("spec", "template", "spec");
        var volumes = spec.Maps("volumes").ToDictionary(v => v.Text("name")!);
        var mounts = Container.Maps("volumeMounts").ToDictionary(v => v.Text("mountPath")!, v => v.Text("name")!);
        Assert.All(mounts.Values, name => Assert.True(volumes.ContainsKey(name), $"volumeMount {name} has no volume"));

        var secretKeys = SecretExampleKeys();
        foreach (var volume in volumes.Values)
        {
            if (volume.Text("configMap", "name") is { } map)
            {
                Single("ConfigMap", map);
            }

            if (volume.Text("secret", "secretName") is { } secret)
            {
                Assert.Equal("monitoring-secrets", secret);
            }
        }

        foreach (var e in Container.Maps("env"))
        {
            if (e.Text("valueFrom", "secretKeyRef", "key") is { } key)
            {
                Assert.Equal("monitoring-secrets", e.Text("valueFrom", "secretKeyRef", "name"));
                Assert.Contains(key, secretKeys);
            }

            // A file option points at a key of the volume mounted there.
            if (e.Text("name")!.EndsWith("File", StringComparison.Ordinal) || e.Text("name")!.EndsWith("Path", StringComparison.Ordinal))
            {
                var path = e.Text("value")!;
                var mount = mounts.Keys.Single(m => path == m || path.StartsWith(m + "/", StringComparison.Ordinal));
                var file = path == mount ? null : path[(mount.Length + 1)..];
                var volume = volumes[mounts[mount]];
                if (file is not null && volume.Text("secret", "secretName") is not null)
                {
                    Assert.Contains(file, secretKeys);
                }
                else if (file is not null && volume.Text("configMap", "name") is { } map)
                {
                    Assert.True(Single("ConfigMap", map).Map("data").ContainsKey(file), $"{e.Text("name")}: ConfigMap {map} has no key {file}");
                }
            }
        }

        // Every secret file the alerting configuration reads is a key of the Secret.
        var alerting = Single("ConfigMap", "monitoring-alerting").Text("data", "alertmanager.yml")!;
        foreach (Match m in Regex.Matches(alerting, @"_file:\s*/etc/monitoring/secrets/([\w.-]+)"))
        {
            Assert.Contains(m.Groups[1].Value, secretKeys);
        }
    }

    [Fact]
    public void Every_monitoring_variable_names_a_real_option_in_the_manifests_and_the_compose_file()
    {
        var sections = OptionSections();
        var names = Container.Maps("env").Select(e => e.Text("name")!).ToList();
        var compose = Assert.Single(Yaml.LoadAll(Path.Combine(Root, "deploy", "compose.yaml")));
        foreach (var (_, service) in compose.Map("services"))
        {
            names.AddRange(((Dictionary<string, object?>)service!).Map("environment").Keys);
        }

        var checkedCount = 0;
        foreach (var name in names.Where(n => n.StartsWith("Monitoring__", StringComparison.Ordinal)))
        {
            var parts = name.Split("__");
            Assert.True(parts.Length >= 3, $"{name}: expected Monitoring__Section__Option");
            var section = $"Monitoring:{parts[1]}";
            Assert.True(sections.TryGetValue(section, out var types), $"{name}: no options class binds section {section}");
            Assert.True(types.Any(t => t.GetProperty(parts[2], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.CanWrite == true),
                $"{name}: {string.Join("/", types.Select(t => t.Name))} has no settable property {parts[2]}");
            checkedCount++;
        }

        Assert.True(checkedCount >= 10, $"only {checkedCount} Monitoring__ variables found");
    }

    [Fact]
    public void The_compose_file_runs_three_silos_of_one_cluster_on_postgres_and_azurite_and_the_demo_client()
    {
        var compose = Assert.Single(Yaml.LoadAll(Path.Combine(Root, "deploy", "compose.yaml")));
        var services = compose.Map("services");
        Assert.Equal(["azurite", "demo", "postgres", "silo1", "silo2", "silo3"], services.Keys.Order(StringComparer.Ordinal));
        var silos = new[] { "silo1", "silo2", "silo3" }.Select(s => (Dictionary<string, object?>)services[s]!).ToList();
        Assert.Single(silos.Select(s => s.Text("environment", "Monitoring__Cluster__ClusterId")).Distinct());
        Assert.All(silos, s => Assert.Equal("azure-table", s.Text("environment", "Monitoring__Cluster__Mode")));
        Assert.All(silos, s => Assert.Contains("TableEndpoint=http://azurite:10002/", s.Text("environment", "Monitoring__Cluster__AzureTableConnectionString"), StringComparison.Ordinal));
        Assert.All(silos, s => Assert.Contains("Host=postgres;", s.Text("environment", "Monitoring__Host__PostgresConnectionString"), StringComparison.Ordinal));
        var apiPorts = silos.Select(s => ((List<object?>)s.At("ports")!).Cast<string>().Single(p => p.EndsWith(":8080", StringComparison.Ordinal))).ToList();
        Assert.Equal(3, apiPorts.Distinct().Count());
        var azurite = (Dictionary<string, object?>)services["azurite"]!;
        Assert.Contains("--disableTelemetry", ((List<object?>)azurite.At("command")!).Cast<string>());
        var demo = (Dictionary<string, object?>)services["demo"]!;
        var entry = ((List<object?>)demo.At("entrypoint")!).Cast<string>().ToList();
        Assert.Equal(["monitoring", "demo"], entry.Take(2));
        Assert.Contains("http://silo1:8080", entry);
    }

    [Fact]
    public void The_config_map_rules_and_alerting_configuration_load_with_the_silos_parsers_and_amtool()
    {
        var rules = RuleFileParser.Parse(Single("ConfigMap", "monitoring-rules").Text("data", "rules.yml")!, "deploy/k8s/configmap.yaml");
        Assert.NotEmpty(rules.Groups);
        Assert.NotEmpty(rules.Slos);

        var folder = Directory.CreateTempSubdirectory("monitoring-deploy-").FullName;
        try
        {
            foreach (var (key, value) in SecretExample())
            {
                File.WriteAllText(Path.Combine(folder, key), value);
            }

            var text = Single("ConfigMap", "monitoring-alerting").Text("data", "alertmanager.yml")!.Replace("/etc/monitoring/secrets/", folder + "/", StringComparison.Ordinal);
            var config = AlertmanagerConfig.Load(text, folder);
            Assert.Equal(["pagerduty", "slack"], config.Receivers.Select(r => r.Name).Order(StringComparer.Ordinal));

            var file = Path.Combine(folder, "alertmanager.yml");
            File.WriteAllText(file, text);
            var amtool = new ProcessStartInfo("amtool") { RedirectStandardOutput = true, RedirectStandardError = true };
            amtool.ArgumentList.Add("check-config");
            amtool.ArgumentList.Add(file);
            using var process = Process.Start(amtool)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "amtool check-config: " + output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_dockerfile_is_multi_stage_non_root_with_a_health_check_and_copies_every_project_it_builds()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "deploy", "Dockerfile")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "expected a multi-stage build");
        var user = Assert.Single(lines, l => l.StartsWith("USER ", StringComparison.Ordinal))[5..].Trim();
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.Contains("\"health\"", StringComparison.Ordinal));

        // Every COPY source from the build context exists, and the restore step sees the project file of every project
        // the silo and the CLI reference (a new project would otherwise fail the image build).
        var copied = lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1)).ToList();
        Assert.All(copied, source => Assert.True(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), $"COPY {source}: not in the repository"));
        var needed = ProjectClosure(Path.Combine(Root, "src", "Monitoring.Silo", "Monitoring.Silo.csproj"))
            .Union(ProjectClosure(Path.Combine(Root, "src", "Monitoring.Cli", "Monitoring.Cli.csproj")))
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(needed, copied.Where(c => c.EndsWith(".csproj", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    private static void AssertSelects(Dictionary<string, object?> selector, Dictionary<string, object?> labels)
    {
        Assert.NotEmpty(selector);
        foreach (var (key, value) in selector)
        {
            Assert.True(labels.TryGetValue(key, out var actual) && Equals(actual, value), $"selector {key}={value} does not match the pod labels");
        }
    }

    private static Dictionary<string, string> SecretExample()
    {
        var secret = Assert.Single(Yaml.LoadAll(Path.Combine(K8s, "secret.example.yaml")));
        Assert.Equal("monitoring-secrets", secret.Text("metadata", "name"));
        return secret.Map("stringData").ToDictionary(kv => kv.Key, kv => (string)kv.Value!);
    }

    private static HashSet<string> SecretExampleKeys() => [.. SecretExample().Keys];

    /// <summary>Options classes by the configuration section they bind (a public const <c>Section</c> or <c>SectionName</c>).</summary>
    private static Dictionary<string, List<Type>> OptionSections()
    {
        var assemblies = new[] { typeof(Monitoring.Silo.Hosting.MonitoringHostOptions), typeof(Monitoring.Ingest.OtlpReceiverOptions), typeof(Monitoring.Grains.Alerting.AlertingOptions) }
            .Select(t => t.Assembly).Distinct();
        var sections = new Dictionary<string, List<Type>>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            var field = type.GetField("Section", BindingFlags.Public | BindingFlags.Static) ?? type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static);
            if (field is { IsLiteral: true } && field.GetRawConstantValue() is string section && section.StartsWith("Monitoring:", StringComparison.Ordinal))
            {
                (sections.TryGetValue(section, out var list) ? list : sections[section] = []).Add(type);
            }
        }

        return sections;
    }

    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }

            foreach (Match m in Regex.Matches(File.ReadAllText(next), "<ProjectReference Include=\"([^\"]+)\""))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(next)!, m.Groups[1].Value.Replace('\\', '/'))));
            }
        }

        return seen;
    }
}
