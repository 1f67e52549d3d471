namespace Checkpointable; internal static class Placeholder { }
