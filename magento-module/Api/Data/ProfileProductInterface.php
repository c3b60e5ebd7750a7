<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api\Data;

use Magento\Framework\Api\CustomAttributesDataInterface;

/**
 * What a lookup reads of one catalog product, named as GET /V1/products names it: the id, status, visibility,
 * and of the custom attributes only the URL key and the image (GET /V1/products would load and render the whole
 * product: links, media gallery, options, tier prices, categories).
 *
 * @api
 */
interface ProfileProductInterface extends CustomAttributesDataInterface
{
    /** The custom attributes a lookup reads: the product page's URL key and the base image. */
    public const ATTRIBUTES = ['url_key', 'image'];

    /**
     * Return the product's id ("id").
     *
     * @return int
     */
    public function getId(): int;

    /**
     * Return the product's status, 1 enabled or 2 disabled ("status").
     *
     * @return int|null
     */
    public function getStatus(): ?int;

    /**
     * Return the product's visibility, 1 not visible individually to 4 catalog and search ("visibility").
     *
     * @return int|null
     */
    public function getVisibility(): ?int;
}
