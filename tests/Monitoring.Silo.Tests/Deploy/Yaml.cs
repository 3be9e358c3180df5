using YamlDotNet.RepresentationModel;

namespace Monitoring.Silo.Tests.Deploy;

/// <summary>A YAML document as plain nodes: mappings become dictionaries, sequences lists, scalars strings.</summary>
internal static class Yaml
{
    /// <summary>Every document of a (multi-document) YAML file, merge keys (<c>&lt;&lt;: *anchor</c>) applied.</summary>
    public static List<Dictionary<string, object?>> LoadAll(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(new YamlDotNet.Core.MergingParser(new YamlDotNet.Core.Parser(reader)));
        }

        return [.. stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => (Dictionary<string, object?>)Convert(d.RootNode)!)];
    }

    /// <summary>The value at a path of mapping keys, or null when any step is missing.</summary>
    public static object? At(this Dictionary<string, object?> node, params string[] path)
    {
        object? current = node;
        foreach (var key in path)
        {
            if (current is not Dictionary<string, object?> map || !map.TryGetValue(key, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>The mapping at a path, or an empty one.</summary>
    public static Dictionary<string, object?> Map(this Dictionary<string, object?> node, params string[] path) =>
        node.At(path) as Dictionary<string, object?> ?? [];

    /// <summary>The mappings of the sequence at a path, or none.</summary>
    public static List<Dictionary<string, object?>> Maps(this Dictionary<string, object?> node, params string[] path) =>
        (node.At(path) as List<object?> ?? []).OfType<Dictionary<string, object?>>().ToList();

    /// <summary>The scalar at a path, or null.</summary>
    public static string? Text(this Dictionary<string, object?> node, params string[] path) => node.At(path) as string;

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => Convert(kv.Value)),
        YamlSequenceNode seq => seq.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };
}
