namespace Checkpointable.Tests;

/// <summary>Text captured from a real /proc (see Fixtures/README.md for how each file was made).</summary>
internal static class Fixture
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "proc", name));
}
