//! Where the encoder runs: the one place that picks a device.

use std::str::FromStr;

use candle_core::Device;

use super::ModelError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    /// The GPU when the binary has CUDA and a GPU is present, else the CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
}

impl FromStr for DeviceChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" => Ok(DeviceChoice::Cuda),
            _ => Err(format!("unknown device {s:?} (expected auto, cpu or cuda)")),
        }
    }
}

/// The device for `choice`. `cuda_is_available` is false in a binary built
/// without the `cuda` feature, so this compiles the same either way.
pub fn select(choice: DeviceChoice) -> Result<Device, ModelError> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        DeviceChoice::Cuda if !candle_core::utils::cuda_is_available() => Err(ModelError::NoCuda),
        DeviceChoice::Cuda => Device::new_cuda(0).map_err(|e| ModelError::Gpu(e.to_string())),
        DeviceChoice::Auto if candle_core::utils::cuda_is_available() => Ok(Device::new_cuda(0).unwrap_or(Device::Cpu)),
        DeviceChoice::Auto => Ok(Device::Cpu),
    }
}
