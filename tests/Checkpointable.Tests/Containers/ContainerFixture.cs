namespace Checkpointable.Tests.Containers;

/// <summary>Files a real Podman wrote (Fixtures/containers/README.md says how each was made).</summary>
internal static class ContainerFixture
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "containers", name));

    public static Checkpointable.Containers.OciSpec Spec(string name) =>
        Checkpointable.Containers.OciSpecParser.Parse(Read(name)) ?? throw new InvalidDataException($"{name} is not an OCI config");
}
