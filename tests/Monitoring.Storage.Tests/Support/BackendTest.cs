using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Xunit;

namespace Monitoring.Storage.Tests.Support;

/// <summary>
/// A test class run once per backend by concrete subclasses: isolated storage per test, and every log or store the
/// test opens disposed after it.
/// </summary>
public abstract class BackendTest : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private IStorageBackend? _backend;

    /// <summary>The backend of the current test.</summary>
    protected IStorageBackend Backend => _backend ?? throw new InvalidOperationException("Not initialized.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _backend = await CreateBackendAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }

    /// <summary>Makes the isolated storage for one test.</summary>
    protected abstract Task<IStorageBackend> CreateBackendAsync();

    /// <summary>Disposes <paramref name="disposable"/> after the test.</summary>
    protected T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>Every record of a model after a position.</summary>
    protected static async Task<List<LoggedEvent>> ReadAll(IEventLog log, ModelKey model, long afterSequence = 0)
    {
        var list = new List<LoggedEvent>();
        await foreach (var e in log.ReadAsync(model, afterSequence))
        {
            list.Add(e);
        }

        return list;
    }
}
