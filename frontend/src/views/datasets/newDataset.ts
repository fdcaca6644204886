/** Opens the "New dataset" dialog from anywhere in the Datasets view. */
import { createContext, useContext } from "react";

export const NewDatasetContext = createContext<() => void>(() => {});

export const useNewDataset = () => useContext(NewDatasetContext);
