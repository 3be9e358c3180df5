using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using Orleans.Serialization;
using Orleans.Storage;

namespace Monitoring.Storage.Hosting;

/// <summary>
/// The serializer of the Monitoring grain storage: Orleans' default grain-storage JSON (Newtonsoft.Json with the silo's
/// <see cref="OrleansJsonSerializerOptions"/>, so the stored format and every checkpoint already written stay readable),
/// with two settings made exact. Orleans' defaults leave out members whose value is the CLR default
/// (<see cref="DefaultValueHandling.Ignore"/>), so a member whose initializer is not the default came back wrong when its
/// value was the default (a minimum of 0 read back as +Infinity, <c>ReferenceMode.Uploaded</c> as the initializer's
/// <c>RollingWindows</c>); and they fill an existing collection in place (<see cref="ObjectCreationHandling.Auto"/>),
/// into a copy when a getter returns one. Here every member is written and every value read is assigned.
/// </summary>
public static class GrainStateSerializer
{
    /// <summary>Creates the serializer from the silo's services (the silo-wide settings are copied, never changed).</summary>
    public static IGrainStorageSerializer Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var configured = services.GetRequiredService<IOptions<OrleansJsonSerializerOptions>>().Value;
        var options = new OrleansJsonSerializerOptions
        {
            AllowAllTypes = configured.AllowAllTypes,
            JsonSerializerSettings = new JsonSerializerSettings(configured.JsonSerializerSettings)
            {
                DefaultValueHandling = DefaultValueHandling.Include,
                ObjectCreationHandling = ObjectCreationHandling.Replace,
            },
        };
        return new JsonGrainStorageSerializer(new OrleansJsonSerializer(Options.Create(options)));
    }
}
