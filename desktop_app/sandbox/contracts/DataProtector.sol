// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// The slice of PoCo's DatasetRegistry this contract needs.
interface IDatasetRegistry {
    function createDataset(
        address datasetOwner,
        string calldata datasetName,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external returns (address);
}

/// Written for the local sandbox of DataProtector Desktop. It exposes the same entry point and event as
/// iExec's DataProtector contract, so clients (and indexers) cannot tell the two apart: it registers a
/// dataset through the real DatasetRegistry and records the dataset's schema in an event.
contract DataProtector {
    IDatasetRegistry public immutable datasetRegistry;

    /// Same signature as iExec's: topic0 is keccak256("DatasetSchema(address,string)").
    event DatasetSchema(address indexed dataset, string schema);

    constructor(IDatasetRegistry registry) {
        datasetRegistry = registry;
    }

    function createDatasetWithSchema(
        address datasetOwner,
        string calldata datasetName,
        string calldata datasetSchema,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external returns (address dataset) {
        dataset = datasetRegistry.createDataset(datasetOwner, datasetName, datasetMultiaddr, datasetChecksum);
        emit DatasetSchema(dataset, datasetSchema);
    }
}
