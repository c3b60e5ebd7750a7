<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Directory\Api\Data;

/**
 * Test stand-in for Magento's region information.
 */
interface RegionInformationInterface
{
    /**
     * Return the region id.
     *
     * @return string
     */
    public function getId();

    /**
     * Return the region code.
     *
     * @return string
     */
    public function getCode();

    /**
     * Return the region name.
     *
     * @return string
     */
    public function getName();
}
