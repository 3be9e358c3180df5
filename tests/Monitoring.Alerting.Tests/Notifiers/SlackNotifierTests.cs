using System.Text.Json;
using System.Text.RegularExpressions;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Tests.Support;
using Xunit;

namespace Monitoring.Alerting.Tests.Notifiers;

public sealed partial class SlackNotifierTests
{
    private static HttpDelivery Delivery(TimeProvider? time = null) => new(new HttpDeliveryOptions { AllowPrivateTargets = true }, time);

    private static async Task<(DeliveryResult Result, JsonElement Message)> SendAsync(Notification notification, bool sendResolved = true)
    {
        await using var slack = await FakeReceiver.StartAsync();
        using var delivery = Delivery();
        var notifier = new SlackNotifier(new SlackNotifierOptions(slack.Url("/services/T0/B0/secret"), SendResolved: sendResolved), delivery);
        var result = await notifier.SendAsync(notification, CancellationToken.None);
        var request = Assert.Single(slack.Requests);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        return (result, JsonDocument.Parse(request.Body).RootElement.Clone());
    }

    private static IEnumerable<string> AllTexts(JsonElement message)
    {
        yield return message.GetProperty("text").GetString()!;
        foreach (var block in message.GetProperty("blocks").EnumerateArray())
        {
            if (block.TryGetProperty("text", out var text))
            {
                yield return text.GetProperty("text").GetString()!;
            }
            foreach (var name in (string[])["fields", "elements"])
            {
                if (block.TryGetProperty(name, out var items))
                {
                    foreach (var item in items.EnumerateArray())
                    {
                        yield return item.GetProperty("text").GetString()!;
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Slack_FiringAlert_PostsHeaderSectionWithFieldsLinksAndFallbackText()
    {
        var (result, message) = await SendAsync(Alerts.Group(Alerts.Drift()));

        Assert.True(result.Success);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("[FIRING:1] FeatureDrift: PSI of age above 0.2", message.GetProperty("text").GetString());
        var blocks = message.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(["header", "section", "image", "context"], blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("[FIRING:1] FeatureDrift", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());

        var section = blocks[1];
        var fields = section.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList();
        Assert.Equal(
            ["*Severity*\nwarning", "*Model*\nfraud-v3", "*Feature*\nage", "*Slice*\ncountry=DE", "*Value vs threshold*\npsi 0.3125 &gt; 0.2",
                "*Window*\n2026-12-06T09:00:00Z – 2026-12-06T10:00:00Z", $"*Incident*\ninc-{Alerts.Drift().Fingerprint} (triggered)"],
            fields);
        var text = section.GetProperty("text").GetProperty("text").GetString()!;
        Assert.Contains("*FeatureDrift* firing since 2026-12-06 09:30 UTC", text, StringComparison.Ordinal);
        Assert.Contains("PSI of age above 0.2", text, StringComparison.Ordinal);
        Assert.Contains("• worst slice country=DE: 0.41", text, StringComparison.Ordinal);
        Assert.Contains("<https://runbooks.example.com/drift#psi|Runbook>", text, StringComparison.Ordinal);
        Assert.Contains($"<https://monitoring.example.com/incidents/inc-{Alerts.Drift().Fingerprint}|Incident>", text, StringComparison.Ordinal);
        Assert.Contains($"<https://monitoring.example.com/incidents/inc-{Alerts.Drift().Fingerprint}/ack|Acknowledge>", text, StringComparison.Ordinal);
        // Links go to the HTML pages, never to the JSON API.
        Assert.Contains($"<{Alerts.WindowPage}|Window report>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/api/", message.GetRawText(), StringComparison.Ordinal);
        // The evidence chart, fetched by Slack from the external URL.
        var image = blocks[2];
        Assert.Equal($"https://monitoring.example.com/incidents/inc-{Alerts.Drift().Fingerprint}/chart.png", image.GetProperty("image_url").GetString());
        Assert.Equal("fraud-v3 age: psi over time with the threshold 0.2 and the incident marked", image.GetProperty("alt_text").GetString());
        Assert.Equal("plain_text", image.GetProperty("title").GetProperty("type").GetString());
        // Links are text, never URL buttons (those need an interactivity endpoint).
        Assert.DoesNotContain("actions", message.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("button", message.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_GroupOf200SmallAlertsWithIncidents_FillsExactly50Blocks_WithOneChart()
    {
        var alerts = Enumerable.Range(0, 200).Select(i => new NotificationAlert
        {
            Labels = LabelSet.Of("alertname", "Up", "model", "m", "instance", $"i{i}"),
            StartsAt = Alerts.Now,
            Incident = new IncidentRef($"inc-{i}", IncidentState.Triggered, $"https://monitoring.example.com/incidents/inc-{i}", $"https://monitoring.example.com/incidents/inc-{i}/ack"),
        }).ToList();

        var message = SlackMessage.Build(Alerts.Group(alerts), new SlackNotifierOptions(new Uri("https://hooks.slack.com/x")));

        var blocks = message["blocks"]!.AsArray();
        Assert.Equal(SlackMessage.MaxBlocks, blocks.Count);
        var image = Assert.Single(blocks, b => b!["type"]!.GetValue<string>() == "image");
        Assert.Equal($"https://monitoring.example.com/incidents/{alerts[0].Incident!.Id}/chart.png", image!["image_url"]!.GetValue<string>());
        Assert.Equal("context", blocks[^1]!["type"]!.GetValue<string>());
        Assert.Equal("image", blocks[^2]!["type"]!.GetValue<string>());
        Assert.StartsWith("*+154 more alerts* (154 firing, 0 resolved; 46 of 200 shown)", blocks[^3]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_ResolvedOnlyOrWithoutIncident_HasNoChart()
    {
        var options = new SlackNotifierOptions(new Uri("https://hooks.slack.com/x"));
        Assert.DoesNotContain(SlackMessage.Build(Alerts.Group(Alerts.Drift(resolved: true)), options)["blocks"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "image");
        Assert.DoesNotContain(SlackMessage.Build(Alerts.Group(Alerts.Drift(incident: null)), options)["blocks"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "image");
    }

    [Fact]
    public async Task Slack_AcknowledgedOrResolvedAlert_HasNoAcknowledgeLink()
    {
        var (_, message) = await SendAsync(Alerts.Group(Alerts.Drift(incident: IncidentState.Acknowledged), Alerts.Drift(feature: "income", resolved: true)));

        var all = string.Join("\n", AllTexts(message));
        Assert.DoesNotContain("|Acknowledge>", all, StringComparison.Ordinal);
        Assert.Contains("(acknowledged)", all, StringComparison.Ordinal);
        Assert.Contains(":white_check_mark: *FeatureDrift* resolved 2026-12-06 09:59 UTC", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_GroupOf200Alerts_KeepsEveryBlockKitLimit_AndSaysHowManyMore()
    {
        var alerts = Enumerable.Range(0, 200)
            .Select(i => Alerts.Drift(feature: $"feature_{i:000}", summary: $"PSI of feature_{i:000} above 0.2 " + new string('x', i * 10), resolved: i % 10 == 9))
            .ToList();
        var (result, message) = await SendAsync(Alerts.Group(alerts));

        Assert.True(result.Success);
        var blocks = message.GetProperty("blocks").EnumerateArray().ToList();
        Assert.InRange(blocks.Count, 3, SlackMessage.MaxBlocks);
        Assert.InRange(blocks[0].GetProperty("text").GetProperty("text").GetString()!.Length, 1, SlackMessage.MaxHeaderChars);
        var alertSections = 0;
        foreach (var block in blocks.Where(b => b.GetProperty("type").GetString() == "section"))
        {
            Assert.InRange(block.GetProperty("text").GetProperty("text").GetString()!.Length, 1, SlackMessage.MaxSectionChars);
            if (block.TryGetProperty("fields", out var fields))
            {
                alertSections++;
                Assert.InRange(fields.GetArrayLength(), 1, SlackMessage.MaxFields);
                Assert.All(fields.EnumerateArray(), f => Assert.InRange(f.GetProperty("text").GetString()!.Length, 1, SlackMessage.MaxFieldChars));
            }
        }
        // The last blocks: "+N more", the first firing incident's chart, the context.
        Assert.Equal(["section", "image", "context"], blocks[^3..].Select(b => b.GetProperty("type").GetString()));
        var more = blocks[^3].GetProperty("text").GetProperty("text").GetString()!;
        Assert.StartsWith($"*+{200 - alertSections} more alerts*", more, StringComparison.Ordinal);
        Assert.Contains($"{alertSections} of 200 shown", more, StringComparison.Ordinal);
        // Firing alerts come first, so what is cut is the resolved tail.
        Assert.Contains($"({180 - alertSections} firing, 20 resolved; ", more, StringComparison.Ordinal);
        Assert.Contains("<https://monitoring.example.com/|Open Monitoring>", more, StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_GroupOf200SmallAlerts_FillsExactly50Blocks()
    {
        var alerts = Enumerable.Range(0, 200)
            .Select(i => new NotificationAlert { Labels = LabelSet.Of("alertname", "Up", "instance", $"i{i}"), StartsAt = Alerts.Now })
            .ToList();

        var message = SlackMessage.Build(Alerts.Group(alerts), new SlackNotifierOptions(new Uri("https://hooks.slack.com/x")));

        var blocks = message["blocks"]!.AsArray();
        Assert.Equal(SlackMessage.MaxBlocks, blocks.Count);
        Assert.DoesNotContain(blocks, b => b!["type"]!.GetValue<string>() == "image"); // no incident, no chart
        Assert.Equal("header", blocks[0]!["type"]!.GetValue<string>());
        Assert.Equal("context", blocks[^1]!["type"]!.GetValue<string>());
        Assert.StartsWith("*+153 more alerts* (153 firing, 0 resolved; 47 of 200 shown)", blocks[^2]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("[FIRING:200] Up (+199 more)", message["text"]!.GetValue<string>());
    }

    [Fact]
    public void Slack_HugeTexts_AreCutToTheirLimits_WithoutBreakingAnEntity()
    {
        var alert = Alerts.Drift(summary: string.Concat(Enumerable.Repeat("a&b ", 5000))) with
        {
            Labels = LabelSet.Of("alertname", new string('N', 400), "feature", new string('<', 3000), "model", "m"),
        };
        var message = SlackMessage.Build(Alerts.Group(alert), new SlackNotifierOptions(new Uri("https://hooks.slack.com/x")));
        var json = JsonDocument.Parse(message.ToJsonString()).RootElement;

        var header = json.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString()!;
        Assert.Equal(SlackMessage.MaxHeaderChars, header.Length);
        var section = json.GetProperty("blocks")[1];
        var text = section.GetProperty("text").GetProperty("text").GetString()!;
        Assert.InRange(text.Length, 2000, SlackMessage.MaxSectionChars);
        Assert.Contains("|Runbook>", text, StringComparison.Ordinal);
        // Every '&' starts a whole entity: nothing like "&am…" is left at the cut.
        Assert.DoesNotMatch(BrokenEntity(), text);
        var feature = section.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()!).Single(f => f.StartsWith("*Feature*", StringComparison.Ordinal));
        Assert.InRange(feature.Length, 1900, SlackMessage.MaxFieldChars);
        Assert.DoesNotMatch(BrokenEntity(), feature);
        Assert.DoesNotContain('<', feature);
    }

    [Fact]
    public async Task Slack_HostileLabelValues_AreEscaped_SoTheyCannotPingOrLink()
    {
        var alert = Alerts.Drift(feature: "<!channel>", model: "<http://evil.example|click me>", summary: "a & b <@U123> <!here> done") with
        {
            Annotations = LabelSet.Of("summary", "a & b <@U123> <!here> done", "runbook_url", "https://ok.example/r|<!channel>"),
            GeneratorUrl = "javascript:alert(1)",
        };
        var (_, message) = await SendAsync(Alerts.Group(alert));

        var texts = AllTexts(message).ToList();
        var all = string.Join("\n", texts);
        Assert.DoesNotContain("<!channel>", all, StringComparison.Ordinal);
        Assert.DoesNotContain("<!here>", all, StringComparison.Ordinal);
        Assert.DoesNotContain("<@U123>", all, StringComparison.Ordinal);
        Assert.DoesNotContain("<http://evil", all, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", all, StringComparison.Ordinal);
        Assert.Contains("*Feature*\n&lt;!channel&gt;", all, StringComparison.Ordinal);
        Assert.Contains("*Model*\n&lt;http://evil.example|click me&gt;", all, StringComparison.Ordinal);
        Assert.Contains("a &amp; b &lt;@U123&gt; &lt;!here&gt; done", all, StringComparison.Ordinal);
        // The only angle brackets left are our own links, with an http(s) URL free of '|' and '<'.
        foreach (Match link in AngleBrackets().Matches(all))
        {
            Assert.Matches(OwnLink(), link.Value);
        }
        Assert.Contains("<https://ok.example/r%7C%3C!channel%3E|Runbook>", all, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "invalid_blocks", false, "slack: HTTP 400 invalid_blocks")]
    [InlineData(400, "invalid_payload", false, "slack: HTTP 400 invalid_payload")]
    [InlineData(403, "invalid_token", false, "slack: HTTP 403 invalid_token")]
    [InlineData(404, "channel_not_found", false, "slack: HTTP 404 channel_not_found")]
    [InlineData(410, "channel_is_archived", false, "slack: HTTP 410 channel_is_archived")]
    [InlineData(500, "rollup_error", true, "slack: HTTP 500 rollup_error")]
    [InlineData(429, "{\"retry_after\":1,\"ok\":false,\"error\":\"rate_limited\"}", true, "slack: HTTP 429 rate_limited")]
    public async Task Slack_ErrorCodes_AreClassified_WithTheirSlackErrorName(int status, string body, bool retryable, string error)
    {
        await using var slack = await FakeReceiver.StartAsync();
        slack.Respond(status, body, ("Retry-After", "7"));
        using var delivery = Delivery();
        var notifier = new SlackNotifier(new SlackNotifierOptions(slack.Url("/services/T0/B0/secret")), delivery);

        var result = await notifier.SendAsync(Alerts.Group(Alerts.Drift()), CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal(retryable, result.Retryable);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal(error, result.Error);
        Assert.Equal(retryable ? TimeSpan.FromSeconds(7) : null, result.RetryAfter);
    }

    [Fact]
    public async Task Slack_WithSendResolvedFalse_SendsNothingForAnAllResolvedGroup_AndOnlyFiringAlertsOtherwise()
    {
        await using var slack = await FakeReceiver.StartAsync();
        using var delivery = Delivery();
        var notifier = new SlackNotifier(new SlackNotifierOptions(slack.Url("/hook")), delivery);
        Assert.False(notifier.SendResolved);

        var quiet = await notifier.SendAsync(Alerts.Group(Alerts.Drift(resolved: true)), CancellationToken.None);
        var mixed = await notifier.SendAsync(Alerts.Group(Alerts.Drift(), Alerts.Drift(feature: "income", resolved: true)), CancellationToken.None);

        Assert.True(quiet.Success);
        Assert.True(mixed.Success);
        var request = Assert.Single(slack.Requests);
        Assert.DoesNotContain("income", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_TwoMessagesToOneWebhook_AreSpacedOneSecondApart()
    {
        var time = new SignallingTimeProvider();
        await using var slack = await FakeReceiver.StartAsync(time);
        using var delivery = Delivery(time);
        var notifier = new SlackNotifier(new SlackNotifierOptions(slack.Url("/hook")), delivery);

        var first = await notifier.SendAsync(Alerts.Group(Alerts.Drift()), CancellationToken.None);
        var (second, waits) = await time.DriveAsync(
            notifier.SendAsync(Alerts.Group(Alerts.Drift(feature: "income")), CancellationToken.None),
            ignore: due => due == HttpDeliveryOptions.DefaultAttemptTimeout);

        Assert.True(first.Success);
        Assert.True(second.Success);
        Assert.Equal([TimeSpan.FromSeconds(1)], waits);
        Assert.Equal(TimeSpan.FromSeconds(1), slack.Requests[1].At - slack.Requests[0].At);
    }

    [GeneratedRegex("&(?!amp;|lt;|gt;)")]
    private static partial Regex BrokenEntity();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex AngleBrackets();

    [GeneratedRegex(@"^<https?://[^|<>\s]+\|(Runbook|Incident|Acknowledge|Window report|Source|Open Monitoring)>$")]
    private static partial Regex OwnLink();
}
